using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace KernelDigest.Core.Reports;

/// <summary>A calendar month, the key of a report ("2020-09").</summary>
public readonly record struct ReportMonth(int Year, int Month) : IComparable<ReportMonth>
{
    public int CompareTo(ReportMonth other) => (Year * 12 + Month).CompareTo(other.Year * 12 + other.Month);

    public static bool operator <(ReportMonth a, ReportMonth b) => a.CompareTo(b) < 0;
    public static bool operator >(ReportMonth a, ReportMonth b) => a.CompareTo(b) > 0;
    public static bool operator <=(ReportMonth a, ReportMonth b) => a.CompareTo(b) <= 0;
    public static bool operator >=(ReportMonth a, ReportMonth b) => a.CompareTo(b) >= 0;

    public override string ToString() => $"{Year:D4}-{Month:D2}";

    /// <summary>Parses "YYYY-MM" (also "YYYY-M" and "YYYY/MM"); anything else is refused.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out ReportMonth month)
    {
        month = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 10)
            return false;
        var parts = text.Trim().Split('-', '/', '.');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var y)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var m)
            || parts[0].Length != 4 || parts[1].Length > 2 || y < 1991 || y > 9999 || m is < 1 or > 12)
            return false;
        month = new ReportMonth(y, m);
        return true;
    }

    public static ReportMonth Parse(string text) =>
        TryParse(text, out var month) ? month : throw new FormatException($"'{text}' is not a month in the form YYYY-MM.");
}
