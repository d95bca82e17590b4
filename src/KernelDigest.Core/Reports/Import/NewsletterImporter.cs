using System.Text;
using KernelDigest.Core.Subsystems;

namespace KernelDigest.Core.Reports.Import;

/// <summary>
/// Turns the raw text of a "Linux内核月报" newsletter issue (as copied from the published article) into a
/// <see cref="Report"/>. Source lines are paragraphs; the importer never throws on bad input, it reports
/// every non-blank line it cannot place as an <see cref="ImportIssue"/>.
/// </summary>
/// <remarks>
/// Layout it understands: a title line carrying the month ("(2020年09月)"), a free-form header (issue number
/// "总第4期", the contributors after "贡献人员:", the rest kept as preface), numbered section headings ("1. 虚拟化"),
/// and in each section entries that start with a title line after a blank line: "Author Name-Title", a title whose
/// next line is a link bullet ("• 补丁:https://…"), or an English patch title followed directly by its text.
/// Inside an entry: summary paragraphs, changelog blocks ("v9 -> v10:" / "V1 -》V2的改变:" + numbered items),
/// reference links ("[1]https://…"), link bullets and standalone URLs. Everything after "(END)" is boilerplate.
/// </remarks>
public sealed partial class NewsletterImporter(SubsystemCatalog subsystems)
{
    private const int MaxIssues = 1000;
    private const int MaxKeywords = 8;
    private const int MaxTitleLength = 160;
    private const int MaxHeadingLength = 40;
    private const string TerminalPunctuation = "。.,，;；:：!！?？、…";

    public ImportResult Import(string rawText, string? sourcePath = null)
    {
        var lines = SplitLines(rawText ?? string.Empty);
        return new Run(subsystems, lines, sourcePath).Execute();
    }

    /// <summary>Strips a BOM and splits on any line ending (\r\n, \r, \n, U+2028, U+2029).</summary>
    private static string[] SplitLines(string text)
    {
        if (text.Length > 0 && text[0] == '\uFEFF')
            text = text[1..];
        return text.Split(["\r\n", "\r", "\n", "\u2028", "\u2029"], StringSplitOptions.None);
    }

    private static bool IsSpace(char c) => char.IsWhiteSpace(c) || c is '\u200B' or '\uFEFF';

    /// <summary>Trims ASCII, full-width (U+3000), no-break and zero-width spaces.</summary>
    internal static string TrimLine(string line)
    {
        var start = 0;
        var end = line.Length;
        while (start < end && IsSpace(line[start]))
            start++;
        while (end > start && IsSpace(line[end - 1]))
            end--;
        return line[start..end];
    }

    /// <summary>Control characters, replacement characters, non-characters or broken surrogate pairs: not text.</summary>
    private static bool IsUnreadable(string line)
    {
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < line.Length && char.IsLowSurrogate(line[i + 1]))
                {
                    i++;
                    continue;
                }
                return true;
            }
            if (char.IsLowSurrogate(c) || c is '\uFFFD' or '\uFFFE' or '\uFFFF' || (char.IsControl(c) && c != '\t'))
                return true;
        }
        return false;
    }

    private static string ForMessage(string line)
    {
        var sb = new StringBuilder(Math.Min(line.Length, 200));
        foreach (var c in line.Length > 400 ? line[..400] : line)
            sb.Append(char.IsControl(c) || char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF' ? '\uFFFD' : c);
        return TextUtil.Truncate(sb.ToString(), 200);
    }
}
