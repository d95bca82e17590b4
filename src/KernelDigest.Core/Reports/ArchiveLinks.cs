namespace KernelDigest.Core.Reports;

/// <summary>
/// Absolute addresses in the public web archive (<c>Web:BaseUrl</c>), for links from chats and feeds. The paths are
/// the archive's: <c>reports/2020-09</c>, <c>reports/2020-09/{slug}</c>, <c>subsystems/{key}</c>.
/// </summary>
public sealed class ArchiveLinks
{
    private readonly string _base;

    public ArchiveLinks(Uri baseUrl)
    {
        if (!baseUrl.IsAbsoluteUri || baseUrl.Scheme is not ("http" or "https"))
            throw new ArgumentException($"'{baseUrl}' is not an absolute http(s) address.", nameof(baseUrl));
        var text = baseUrl.AbsoluteUri;
        _base = text.EndsWith('/') ? text : text + "/";
    }

    /// <summary>The archive's root, always ending in a slash.</summary>
    public string Root => _base;

    /// <summary>An address under the root; <paramref name="path"/> is already URL-safe (slugs, keys, months are).</summary>
    public string At(string path) => _base + path;

    public string Month(ReportMonth month) => At(MonthPath(month));

    public string Entry(Report report, ReportEntry entry) => At(EntryPath(report, entry));

    public static string MonthPath(ReportMonth month) => "reports/" + month;

    public static string EntryPath(Report report, ReportEntry entry) => MonthPath(report.Month) + "/" + EntrySlugs.Of(report)[entry];

    public static string SubsystemPath(string key) => "subsystems/" + Uri.EscapeDataString(key);
}
