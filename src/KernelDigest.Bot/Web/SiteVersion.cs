using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using KernelDigest.Core.Reports;

namespace KernelDigest.Bot.Web;

/// <summary>
/// What validators the archive sends for one snapshot: an ETag from the report files (month, size, write time) and
/// this build of the app (new HTML after an upgrade is a new tag), and Last-Modified as the newest report file.
/// </summary>
internal sealed class SiteVersion
{
    private static readonly ConditionalWeakTable<LibrarySnapshot, SiteVersion> Versions = new();
    private static readonly string Build = typeof(SiteVersion).Assembly.ManifestModule.ModuleVersionId.ToString("N");

    private readonly Dictionary<ReportMonth, DateTimeOffset> _updated = [];

    private SiteVersion(LibrarySnapshot snapshot)
    {
        var key = new StringBuilder(Build);
        var newest = DateTimeOffset.UnixEpoch;
        foreach (var report in snapshot.Reports)
        {
            var file = report.SourcePath is { } path && File.Exists(path) ? new FileInfo(path) : null;
            var written = file is null ? (DateTimeOffset?)null : new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero);
            key.Append('|').Append(report.Month).Append(':').Append(file?.Length).Append(':').Append(written?.UtcTicks);
            var updated = Truncate(report.Published ?? written ?? EndOf(report.Month));
            _updated[report.Month] = updated;
            if (written is { } w && Truncate(w) > newest)
                newest = Truncate(w);
            if (updated > newest)
                newest = updated;
        }
        Tag = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key.ToString())))[..16];
        LastModified = newest;
    }

    public static SiteVersion Of(LibrarySnapshot snapshot) => Versions.GetValue(snapshot, s => new SiteVersion(s));

    /// <summary>Changes whenever any report file or the app changes.</summary>
    public string Tag { get; }

    /// <summary>The newest report file's write time (whole seconds, as HTTP dates carry).</summary>
    public DateTimeOffset LastModified { get; }

    /// <summary>When a month's report last changed, for Atom's <c>updated</c>: published time, else the file's.</summary>
    public DateTimeOffset Updated(Report report) => _updated.TryGetValue(report.Month, out var t) ? t : EndOf(report.Month);

    private static DateTimeOffset EndOf(ReportMonth month) => new DateTimeOffset(month.Year, month.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);

    private static DateTimeOffset Truncate(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
}
