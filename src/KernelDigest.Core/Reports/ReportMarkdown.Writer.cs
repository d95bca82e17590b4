using System.Text;

namespace KernelDigest.Core.Reports;

public static partial class ReportMarkdown
{
    public static string Write(Report report)
    {
        var sb = new StringBuilder();
        sb.Append("---\n");
        sb.Append("month: ").Append(report.Month).Append('\n');
        if (report.Issue is { } issue)
            sb.Append("issue: ").Append(issue).Append('\n');
        sb.Append("title: ").Append(YamlScalar(report.Title)).Append('\n');
        if (report.Contributors.Count > 0)
            sb.Append("contributors: [").AppendJoin(", ", report.Contributors.Select(YamlScalar)).Append("]\n");
        if (!string.IsNullOrEmpty(report.Source))
            sb.Append("source: ").Append(YamlScalar(report.Source)).Append('\n');
        if (report.Status is { } status)
            sb.Append("status: ").Append(status == ReportStatus.Draft ? "draft" : "published").Append('\n');
        if (report.Published is { } published)
            sb.Append("published: ").Append(published.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("---\n");

        if (!string.IsNullOrWhiteSpace(report.Preface))
        {
            foreach (var paragraph in report.Preface.Split("\n\n"))
                sb.Append('\n').Append(EscapeBlock(paragraph)).Append('\n');
        }

        foreach (var section in report.Sections)
        {
            sb.Append("\n# ").Append(EscapeInline(section.Heading)).Append('\n');
            foreach (var paragraph in section.Intro)
                sb.Append('\n').Append(EscapeBlock(paragraph)).Append('\n');
            foreach (var entry in section.Entries)
                WriteEntry(sb, entry);
        }
        return sb.ToString();
    }

    private static void WriteEntry(StringBuilder sb, ReportEntry entry)
    {
        sb.Append("\n## ").Append(EscapeInline(entry.Title)).Append('\n');
        if (entry.Authors.Count > 0 || entry.Keywords.Count > 0 || !string.IsNullOrWhiteSpace(entry.Note))
        {
            sb.Append('\n');
            if (entry.Authors.Count > 0)
                sb.Append("- authors: ").AppendJoin(", ", entry.Authors.Select(EscapeInline)).Append('\n');
            if (entry.Keywords.Count > 0)
                sb.Append("- keywords: ").AppendJoin(", ", entry.Keywords.Select(EscapeInline)).Append('\n');
            if (!string.IsNullOrWhiteSpace(entry.Note))
                sb.Append("- note: ").Append(EscapeInline(entry.Note.ReplaceLineEndings(" "))).Append('\n');
        }
        foreach (var paragraph in entry.Summary)
            sb.Append('\n').Append(EscapeBlock(paragraph)).Append('\n');
        if (entry.Changelog.Count > 0)
        {
            sb.Append("\n### Changelog\n");
            foreach (var change in entry.Changelog)
            {
                sb.Append("\n#### ").Append(EscapeInline(change.Label)).Append("\n\n");
                var n = 1;
                foreach (var item in change.Items)
                    sb.Append(n++).Append(". ").Append(EscapeBlock(item)).Append('\n');
            }
        }
        if (entry.Links.Count > 0)
        {
            sb.Append("\n### Links\n\n");
            foreach (var link in entry.Links)
                sb.Append("- ").Append(LinkMarkdown(link)).Append('\n');
        }
    }

    private static string LinkMarkdown(ReportLink link)
    {
        var url = link.Url.Replace("<", "%3C", StringComparison.Ordinal).Replace(">", "%3E", StringComparison.Ordinal);
        var plainAutolink = !url.Any(char.IsWhiteSpace);
        if (string.IsNullOrEmpty(link.Label) && plainAutolink)
            return $"<{url}>";
        return $"[{EscapeInline(link.Label ?? "")}](<{url}>)";
    }

    private static string YamlScalar(string value) =>
        value.Length > 0 && value is not ("null" or "Null" or "NULL") && value.All(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '(' or ')' or '.' or '（' or '）')
            && !char.IsWhiteSpace(value[0]) && !char.IsWhiteSpace(value[^1]) && value[0] != '-'
            ? value
            : "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>Escapes a paragraph so Markdown reads it back as this exact text (one line, no block syntax).</summary>
    internal static string EscapeBlock(string text)
    {
        var escaped = EscapeInline(text.ReplaceLineEndings(" "));
        // A line that would open a list, heading, quote or thematic break is kept a paragraph.
        if (escaped.Length > 0 && escaped[0] is '-' or '+' or '*' or '=' or '>' or '|' or '~')
            return "\\" + escaped;
        var digits = 0;
        while (digits < escaped.Length && digits < 10 && char.IsAsciiDigit(escaped[digits]))
            digits++;
        if (digits > 0 && digits < escaped.Length && escaped[digits] is '.' or ')')
            return string.Concat(escaped.AsSpan(0, digits), "\\", escaped.AsSpan(digits));
        return escaped;
    }

    /// <summary>Backslash-escapes the ASCII punctuation that CommonMark could read as inline markup.</summary>
    internal static string EscapeInline(string text)
    {
        var sb = new StringBuilder(text.Length + 8);
        var s = text.Trim();
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '\\' or '`' or '*' or '[' or ']' or '<' or '#' or '!':
                    sb.Append('\\').Append(c);
                    break;
                case '_':
                    // Inside a word (RWF_NOAPPEND) an underscore cannot start emphasis; leave it readable there.
                    var intraword = i > 0 && char.IsLetterOrDigit(s[i - 1]) && i + 1 < s.Length && char.IsLetterOrDigit(s[i + 1]);
                    if (!intraword)
                        sb.Append('\\');
                    sb.Append(c);
                    break;
                case '&':
                    sb.Append("\\&");
                    break;
                case '\t':
                    sb.Append(' ');
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }
        // Two trailing spaces would be a hard break; the trim above removed them.
        return sb.ToString();
    }
}
