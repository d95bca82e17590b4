using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace KernelDigest.Core.Reports;

/// <summary>
/// The address of each entry within its month (<c>introduce-the-tdp-mmu</c>), as the web archive and chat links use it.
/// Derived from the title only: ASCII letters and digits kept (accents folded), everything else a hyphen; a title with
/// no Latin letters (a Chinese one) gets <c>e-</c> and eight hex digits of its SHA-256 instead, so it is stable too.
/// The same slug twice in a month gets <c>-2</c>, <c>-3</c>… in the order the entries are written.
/// </summary>
/// <remarks>
/// A published address never changes meaning as long as a published report's titles and their order stay as they
/// are, which is what publishing means here: editors correct text, not titles. A changed title is a new address.
/// </remarks>
public static class EntrySlugs
{
    /// <summary>Longest slug derived from a title, before any suffix; long titles are cut at a hyphen.</summary>
    public const int MaxLength = 80;

    private static readonly ConditionalWeakTable<Report, MonthSlugs> Cache = new();

    /// <summary>The slug of every entry of the report, in report order.</summary>
    public static MonthSlugs Of(Report report) => Cache.GetValue(report, r => new MonthSlugs(r));

    /// <summary>The slug a title gives before de-duplication.</summary>
    public static string FromTitle(string title)
    {
        var sb = new StringBuilder(title.Length);
        foreach (var c in title.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
                continue;
            if (char.IsAsciiLetterOrDigit(c))
                sb.Append(char.ToLowerInvariant(c));
            else if (sb.Length > 0 && sb[^1] != '-')
                sb.Append('-');
        }
        var slug = sb.ToString().Trim('-');
        if (slug.Length > MaxLength)
        {
            var cut = slug.LastIndexOf('-', MaxLength);
            slug = slug[..(cut > MaxLength / 2 ? cut : MaxLength)].Trim('-');
        }
        // Digits alone ("2020") say nothing and collide easily: such titles are named by their hash as well.
        if (!slug.Any(char.IsAsciiLetter))
            return "e-" + Hash(title);
        return slug;
    }

    private static string Hash(string title) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(title.Trim())))[..8];
}

/// <summary>The entries of one month with their slugs; look-ups by entry are by reference (two equal entries differ).</summary>
public sealed class MonthSlugs
{
    private readonly Dictionary<ReportEntry, string> _byEntry = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, (ReportSection Section, ReportEntry Entry)> _bySlug = new(StringComparer.Ordinal);

    internal MonthSlugs(Report report)
    {
        foreach (var section in report.Sections)
        {
            foreach (var entry in section.Entries)
            {
                var baseSlug = EntrySlugs.FromTitle(entry.Title);
                var slug = baseSlug;
                for (var n = 2; _bySlug.ContainsKey(slug); n++)
                    slug = $"{baseSlug}-{n.ToString(CultureInfo.InvariantCulture)}";
                _bySlug[slug] = (section, entry);
                _byEntry[entry] = slug;
            }
        }
    }

    /// <summary>The entry's slug; the entry must belong to this month.</summary>
    public string this[ReportEntry entry] => _byEntry[entry];

    public bool TryFind(string slug, out ReportSection section, out ReportEntry entry)
    {
        if (_bySlug.TryGetValue(slug, out var found))
        {
            (section, entry) = found;
            return true;
        }
        (section, entry) = (null!, null!);
        return false;
    }
}
