using System.Globalization;
using System.Text;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Reports.Import;
using KernelDigest.Core.Subsystems;

namespace KernelDigest.Core.Tests.Reports;

/// <summary>
/// The shipped <c>config/reports/2020-09.md</c> is exactly what the importer writes from the newsletter fixture, and
/// reading it back gives the imported report.
/// </summary>
public sealed class GoldenReportTests
{
    private static readonly Lazy<Report> Imported = new(() =>
        new NewsletterImporter(Repo.Catalog).Import(File.ReadAllText(Repo.FixturePath), Repo.FixturePath).Report);

    [Fact]
    public void ShippedReport_IsByteForByteWhatTheImporterWrites()
    {
        var expected = File.ReadAllBytes(Repo.GoldenPath);
        var actual = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(ReportMarkdown.Write(Imported.Value));

        var difference = Golden.Difference(expected, actual, Repo.GoldenRelativePath);

        Assert.True(difference is null, difference);
    }

    [Fact]
    public void ShippedReport_ReadsBackAsTheImportedReport()
    {
        var result = ReportMarkdown.Read(File.ReadAllText(Repo.GoldenPath), Repo.GoldenPath, Repo.Catalog);

        Assert.Empty(result.Errors);
        Assert.NotNull(result.Report);
        Assert.Equal(Repo.GoldenPath, result.Report.SourcePath);
        Assert.Equal(ReportContent.Lines(Imported.Value), ReportContent.Lines(result.Report));
        // Sanity: the comparison covers real content, not two empty reports.
        Assert.Equal(15, result.Report.Entries.Count());
        Assert.Equal(["virtualization", "filesystems", "architecture"], result.Report.Sections.Select(s => s.Subsystem));
    }

    // ---- the failure message itself: it must point at the first differing line and say how to regenerate ----

    [Fact]
    public void Difference_IsNullForEqualBytes()
    {
        var bytes = Encoding.UTF8.GetBytes("---\nmonth: 2020-09\n---\n");
        Assert.Null(Golden.Difference(bytes, [.. bytes], "x.md"));
    }

    [Fact]
    public void Difference_NamesFirstDifferingLineAndColumn_AndTheRegenerateCommand()
    {
        var expected = Encoding.UTF8.GetBytes("---\nmonth: 2020-09\ntitle: 内核月报\nsame\n");
        var actual = Encoding.UTF8.GetBytes("---\nmonth: 2020-09\ntitle: 内核周报\nother\n");

        var message = Golden.Difference(expected, actual, "config/reports/2020-09.md");

        Assert.NotNull(message);
        Assert.Contains("config/reports/2020-09.md", message, StringComparison.Ordinal);
        Assert.Contains("line 3, column 10", message, StringComparison.Ordinal);
        Assert.Contains("«title: 内核月报»", message, StringComparison.Ordinal);
        Assert.Contains("«title: 内核周报»", message, StringComparison.Ordinal);
        Assert.DoesNotContain("other", message, StringComparison.Ordinal);
        Assert.Contains(Golden.RegenerateCommand, message, StringComparison.Ordinal);
    }

    [Fact]
    public void Difference_ShowsInvisibleDifferences_CarriageReturnAndMissingLastLine()
    {
        var crlf = Golden.Difference(Encoding.UTF8.GetBytes("a\nb\n"), Encoding.UTF8.GetBytes("a\r\nb\r\n"), "f.md");
        Assert.NotNull(crlf);
        Assert.Contains("line 1", crlf, StringComparison.Ordinal);
        Assert.Contains("«a\\r»", crlf, StringComparison.Ordinal);

        var shorter = Golden.Difference(Encoding.UTF8.GetBytes("a\nb\n"), Encoding.UTF8.GetBytes("a\nb"), "f.md");
        Assert.NotNull(shorter);
        Assert.Contains("line 3", shorter, StringComparison.Ordinal);
        Assert.Contains("file:     «»", shorter, StringComparison.Ordinal);
        Assert.Contains("(end of file)", shorter, StringComparison.Ordinal);

        var bom = Golden.Difference(Encoding.UTF8.GetBytes("a\n"), [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("a\n")], "f.md");
        Assert.NotNull(bom);
        Assert.Contains("line 1", bom, StringComparison.Ordinal);
        Assert.Contains("\\uFEFF", bom, StringComparison.Ordinal);
    }
}

/// <summary>Files of the repository checkout the tests run from (found by walking up to Bot.sln).</summary>
internal static class Repo
{
    private static readonly Lazy<string> RootDirectory = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Bot.sln")))
            dir = dir.Parent;
        Assert.NotNull(dir);
        return dir.FullName;
    });

    private static readonly Lazy<SubsystemCatalog> LoadedCatalog = new(() => SubsystemCatalog.Load(PathOf("config", "subsystems.yaml")));

    public static string Root => RootDirectory.Value;

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public const string GoldenRelativePath = "config/reports/2020-09.md";

    public static string GoldenPath => PathOf("config", "reports", "2020-09.md");

    public static string FixturePath => PathOf("tests", "KernelDigest.Core.Tests", "Fixtures", "newsletter-2020-09.txt");

    /// <summary>The repository's own taxonomy, <c>config/subsystems.yaml</c>.</summary>
    public static SubsystemCatalog Catalog => LoadedCatalog.Value;
}

/// <summary>Compares a golden file with freshly generated bytes and explains the first difference.</summary>
internal static class Golden
{
    public const string RegenerateCommand =
        "dotnet run --project src/KernelDigest.Bot -- import tests/KernelDigest.Core.Tests/Fixtures/newsletter-2020-09.txt --out config/reports/2020-09.md";

    /// <summary>Null when the bytes are equal; otherwise a message naming the first differing line of the file.</summary>
    public static string? Difference(byte[] expected, byte[] actual, string fileName)
    {
        if (expected.AsSpan().SequenceEqual(actual))
            return null;
        // Decode without dropping a BOM, so a BOM shows up as a difference on line 1.
        var expectedLines = Encoding.UTF8.GetString(expected).Split('\n');
        var actualLines = Encoding.UTF8.GetString(actual).Split('\n');
        var line = 0;
        while (line < expectedLines.Length && line < actualLines.Length && expectedLines[line] == actualLines[line])
            line++;

        var sb = new StringBuilder();
        if (line >= expectedLines.Length && line >= actualLines.Length)
        {
            // Same text, different bytes (e.g. invalid UTF-8): name the first differing byte.
            var offset = 0;
            while (offset < expected.Length && offset < actual.Length && expected[offset] == actual[offset])
                offset++;
            sb.Append(CultureInfo.InvariantCulture, $"{fileName} differs from what the importer writes now, first at byte {offset}.");
        }
        else
        {
            var fileLine = line < expectedLines.Length ? expectedLines[line] : null;
            var importerLine = line < actualLines.Length ? actualLines[line] : null;
            var column = 0;
            while (fileLine is not null && importerLine is not null && column < fileLine.Length && column < importerLine.Length
                   && fileLine[column] == importerLine[column])
                column++;
            sb.Append(CultureInfo.InvariantCulture, $"{fileName} differs from what the importer writes now, first at line {line + 1}, column {column + 1}:\n");
            sb.Append("  file:     ").Append(Show(fileLine)).Append('\n');
            sb.Append("  importer: ").Append(Show(importerLine));
        }
        sb.Append("\nIf the change is intended, regenerate the file from the repository root and review the diff:\n  ")
            .Append(RegenerateCommand);
        return sb.ToString();
    }

    private static string Show(string? line)
    {
        if (line is null)
            return "(end of file)";
        var sb = new StringBuilder("«");
        foreach (var c in line)
        {
            if (c == '\r')
                sb.Append("\\r");
            else if (char.IsControl(c) || c is '\uFEFF' or '\u200B')
                sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            else
                sb.Append(c);
        }
        return sb.Append('»').ToString();
    }
}

/// <summary>
/// A report's content as one line per value, each named by its place ("sections[1].entries[0].summary[2]"), so two
/// reports compare with a message pointing at the first difference (records holding lists don't compare by value).
/// </summary>
internal static class ReportContent
{
    public static List<string> Lines(Report report)
    {
        var lines = new List<string>
        {
            $"month: {report.Month}",
            $"issue: {report.Issue?.ToString(CultureInfo.InvariantCulture) ?? "(none)"}",
            $"title: {report.Title}",
            $"source: {report.Source ?? "(none)"}",
            $"preface: {report.Preface ?? "(none)"}",
            $"contributors: {report.Contributors.Count}",
        };
        lines.AddRange(report.Contributors.Select((c, i) => $"contributors[{i}]: {c}"));
        lines.Add($"sections: {report.Sections.Count}");
        for (var s = 0; s < report.Sections.Count; s++)
        {
            var section = report.Sections[s];
            var sp = $"sections[{s}]";
            lines.Add($"{sp}.heading: {section.Heading}");
            lines.Add($"{sp}.subsystem: {section.Subsystem}");
            lines.Add($"{sp}.intro: {section.Intro.Count}");
            lines.AddRange(section.Intro.Select((p, i) => $"{sp}.intro[{i}]: {p}"));
            lines.Add($"{sp}.entries: {section.Entries.Count}");
            for (var e = 0; e < section.Entries.Count; e++)
            {
                var entry = section.Entries[e];
                var ep = $"{sp}.entries[{e}]";
                lines.Add($"{ep}.title: {entry.Title}");
                lines.Add($"{ep}.authors: {entry.Authors.Count}");
                lines.AddRange(entry.Authors.Select((a, i) => $"{ep}.authors[{i}]: {a}"));
                lines.Add($"{ep}.keywords: {entry.Keywords.Count}");
                lines.AddRange(entry.Keywords.Select((k, i) => $"{ep}.keywords[{i}]: {k}"));
                lines.Add($"{ep}.summary: {entry.Summary.Count}");
                lines.AddRange(entry.Summary.Select((p, i) => $"{ep}.summary[{i}]: {p}"));
                lines.Add($"{ep}.changelog: {entry.Changelog.Count}");
                for (var c = 0; c < entry.Changelog.Count; c++)
                {
                    var change = entry.Changelog[c];
                    lines.Add($"{ep}.changelog[{c}].label: {change.Label}");
                    lines.Add($"{ep}.changelog[{c}].items: {change.Items.Count}");
                    lines.AddRange(change.Items.Select((item, i) => $"{ep}.changelog[{c}].items[{i}]: {item}"));
                }
                lines.Add($"{ep}.links: {entry.Links.Count}");
                lines.AddRange(entry.Links.Select((l, i) => $"{ep}.links[{i}]: {l.Url} label={l.Label ?? "(none)"}"));
            }
        }
        return lines;
    }
}
