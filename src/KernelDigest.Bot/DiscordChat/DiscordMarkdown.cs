using System.Text;
using KernelDigest.Core.Reports;

namespace KernelDigest.Bot.DiscordChat;

/// <summary>
/// Discord markdown for text the bot did not write (report text, user queries): escaped so it shows as written, with
/// mentions neutralised, and cut to Discord's limits without breaking an escape or a surrogate pair.
/// </summary>
public static class DiscordMarkdown
{
    /// <summary>
    /// Escapes Discord markdown so text shows literally (<c>\*</c>, <c>\_</c>, <c>\~</c>, <c>\`</c>, <c>\|</c>,
    /// brackets, angle brackets, and <c>#</c>, <c>-</c>, <c>1.</c> at a line's start), and puts a zero-width space
    /// after the <c>@</c> of <c>@everyone</c>, <c>@here</c> and <c>&lt;@…&gt;</c> user and role mentions.
    /// </summary>
    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length + 16);
        var lineStart = true;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n')
            {
                sb.Append(c);
                lineStart = true;
                continue;
            }
            if (lineStart && c is ' ' or '\t')
            {
                sb.Append(c);
                continue;
            }
            if (c is '\\' or '*' or '_' or '~' or '`' or '|' or '[' or ']' or '<' or '>' || (lineStart && c is '#' or '-' or '+'))
            {
                sb.Append('\\').Append(c);
            }
            else if (c == '@' && ((i > 0 && text[i - 1] == '<') || At(text, i + 1, "everyone") || At(text, i + 1, "here")))
            {
                sb.Append('@').Append('\u200b');
            }
            else if (lineStart && char.IsAsciiDigit(c))
            {
                // "1. item" at a line's start would become a list.
                var end = i;
                while (end < text.Length && char.IsAsciiDigit(text[end]))
                    end++;
                sb.Append(text, i, end - i);
                if (end < text.Length && text[end] == '.')
                {
                    sb.Append("\\.");
                    end++;
                }
                i = end - 1;
            }
            else
            {
                sb.Append(c);
            }
            lineStart = false;
        }
        return sb.ToString();
    }

    private static bool At(string text, int index, string word) =>
        index + word.Length <= text.Length && string.CompareOrdinal(text, index, word, 0, word.Length) == 0;

    /// <summary>The text a user sees for escaped markdown: escapes and zero-width spaces removed.</summary>
    public static string Unescape(string markdown)
    {
        var sb = new StringBuilder(markdown.Length);
        for (var i = 0; i < markdown.Length; i++)
        {
            var c = markdown[i];
            if (c == '\u200b')
                continue;
            if (c == '\\' && i + 1 < markdown.Length && !char.IsAsciiLetterOrDigit(markdown[i + 1]) && !char.IsWhiteSpace(markdown[i + 1]))
            {
                sb.Append(markdown[++i]);
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Escapes <paramref name="raw"/>, shortening it (with an ellipsis) until the escaped form fits.</summary>
    public static string Fit(string raw, int max)
    {
        var escaped = Escape(raw);
        if (escaped.Length <= max)
            return escaped;
        // The longest cut (ellipsis included) whose escaped form fits.
        int low = 1, high = raw.Length - 1;
        while (low < high)
        {
            var mid = (low + high + 1) / 2;
            if (Escape(TextUtil.Truncate(raw, mid)).Length <= max)
                low = mid;
            else
                high = mid - 1;
        }
        var fitted = Escape(TextUtil.Truncate(raw, low));
        return fitted.Length <= max ? fitted : "…";
    }

    /// <summary>
    /// Escapes text and cuts it into pieces of at most <paramref name="max"/> characters: between lines where it can,
    /// else at a space, else between characters, never inside a surrogate pair or an escape.
    /// </summary>
    public static List<string> SplitEscaped(string raw, int max)
    {
        var chunks = new List<string>();
        if (string.IsNullOrWhiteSpace(raw))
            return chunks;
        var current = new StringBuilder();
        foreach (var line in raw.Split('\n'))
        {
            var escaped = Escape(line);
            if (escaped.Length <= max)
            {
                if (current.Length > 0 && current.Length + 1 + escaped.Length > max)
                {
                    chunks.Add(current.ToString());
                    current.Clear();
                }
                if (current.Length > 0)
                    current.Append('\n');
                current.Append(escaped);
                continue;
            }
            if (current.Length > 0)
            {
                chunks.Add(current.ToString());
                current.Clear();
            }
            var rest = line;
            while (rest.Length > 0)
            {
                var take = CutPoint(rest, max);
                var piece = Escape(rest[..take]);
                if (rest.Length == take)
                {
                    current.Append(piece); // the line's last piece may share a chunk with the lines after it
                    break;
                }
                chunks.Add(piece);
                rest = rest[take..];
            }
        }
        if (current.Length > 0)
            chunks.Add(current.ToString());
        return [.. chunks.Where(c => c.Trim().Length > 0)];
    }

    /// <summary>How many characters of <paramref name="line"/> escape to at most <paramref name="max"/>.</summary>
    private static int CutPoint(string line, int max)
    {
        int take = 1, high = line.Length;
        while (take < high)
        {
            var mid = (take + high + 1) / 2;
            if (Escape(line[..mid]).Length <= max)
                take = mid;
            else
                high = mid - 1;
        }
        if (take < line.Length)
        {
            var space = line.LastIndexOf(' ', take - 1, Math.Min(take, 200));
            if (space > 0)
                take = space + 1;
            else if (take > 1 && char.IsHighSurrogate(line[take - 1]))
                take--;
        }
        return take;
    }
}
