using System.Text.RegularExpressions;

namespace KernelDigest.Core.Reports;

/// <summary>Small text helpers shared by the importer, the loader and the replies.</summary>
public static partial class TextUtil
{
    /// <summary>The first sentence of a paragraph (up to a Chinese or English full stop), capped for one-line lists.</summary>
    public static string FirstSentence(string paragraph, int maxLength = 160)
    {
        var text = paragraph.Trim();
        var end = -1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '。' or '！' or '？' or '；')
            {
                end = i + 1;
                break;
            }
            // An English full stop ends a sentence only before a space or the end ("v5.9" and "e.g." do not end one).
            if (c is '.' or '!' or '?' && (i + 1 == text.Length || text[i + 1] == ' ') && i > 0 && !char.IsDigit(text[i - 1])
                && !(c == '.' && i >= 2 && text[i - 2] == '.' && char.IsLetter(text[i - 1])))
            {
                end = i + 1;
                break;
            }
        }
        var sentence = end > 0 ? text[..end] : text;
        return Truncate(sentence, maxLength);
    }

    /// <summary>Cuts text at <paramref name="maxLength"/> characters without splitting a surrogate pair, adding an ellipsis.</summary>
    public static string Truncate(string text, int maxLength)
    {
        if (text.Length <= maxLength)
            return text;
        var cut = maxLength - 1;
        if (cut > 0 && char.IsHighSurrogate(text[cut - 1]))
            cut--;
        return string.Concat(text.AsSpan(0, cut), "…");
    }

    [GeneratedRegex(@"[vV]\s*(?<from>\d+)\s*(?:->|→|-》|—>|=>|－>|to)\s*[vV]\s*(?<to>\d+)")]
    private static partial Regex VersionLabel();

    /// <summary>Reads "v9 -> v10" or "V1 -》V2的改变" as ("v9", "v10").</summary>
    public static (string From, string To)? ParseVersionLabel(string label)
    {
        var m = VersionLabel().Match(label);
        return m.Success ? ("v" + m.Groups["from"].Value, "v" + m.Groups["to"].Value) : null;
    }

    /// <summary>True when the text contains a CJK ideograph, i.e. needs Chinese analysis.</summary>
    public static bool HasCjk(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is >= '\u4e00' and <= '\u9fff' or >= '\u3400' and <= '\u4dbf' or >= '\uf900' and <= '\ufaff')
                return true;
        }
        return false;
    }

    /// <summary>
    /// Makes user text safe to echo anywhere: control characters become their visible Unicode pictures (ESC → ␛), so
    /// a terminal or chat never interprets them. Line breaks and tabs become spaces.
    /// </summary>
    public static string Visible(string text)
    {
        var needs = false;
        foreach (var c in text)
        {
            if (char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                needs = true;
                break;
            }
        }
        if (!needs)
            return text;
        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = c switch
                {
                    '\n' or '\r' or '\t' or '\u2028' or '\u2029' => ' ',
                    < '\u0020' => (char)(0x2400 + c),
                    '\u007f' => '\u2421',
                    _ when char.IsControl(c) => '\ufffd',
                    _ => c,
                };
            }
        });
    }
}
