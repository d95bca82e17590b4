using System.Globalization;
using System.Text;

namespace KernelDigest.Bot.Tests.TelegramDouble;

/// <summary>A message entity as the fake server derived it from the markup (offsets and lengths in UTF-16 code units).</summary>
public sealed record FakeEntity(string Type, int Offset, int Length, string? Url = null, string? Language = null, string? CustomEmojiId = null);

/// <summary>
/// Telegram's <c>parse_mode=HTML</c> parser, modelled on tdlib's <c>parse_html</c> (td/telegram/MessageEntity.cpp):
/// only the documented tags, <c>&lt;</c> always opens a tag, tags must nest properly and be closed,
/// and the error texts follow the real server ("Unsupported start tag \"x\" at byte offset N", ...).
/// </summary>
/// <remarks>
/// Deliberate difference: with <c>strictEntities</c> (the default of <see cref="FakeBotApi.StrictHtmlEntities"/>) a
/// <c>&amp;</c> that does not begin <c>&amp;lt; &amp;gt; &amp;amp; &amp;quot;</c> or a numeric entity is an error,
/// whereas the real server shows it literally. That catches a forgotten <c>HtmlText.Escape</c> early.
/// </remarks>
internal static class TelegramHtml
{
    private static readonly Dictionary<string, string> EntityTypes = new(StringComparer.Ordinal)
    {
        ["b"] = "bold",
        ["strong"] = "bold",
        ["i"] = "italic",
        ["em"] = "italic",
        ["u"] = "underline",
        ["ins"] = "underline",
        ["s"] = "strikethrough",
        ["strike"] = "strikethrough",
        ["del"] = "strikethrough",
        ["tg-spoiler"] = "spoiler",
        ["span"] = "spoiler",
        ["a"] = "text_link",
        ["code"] = "code",
        ["pre"] = "pre",
        ["blockquote"] = "blockquote",
        ["tg-emoji"] = "custom_emoji",
    };

    private sealed class OpenTag(string name, int begin, int textStart)
    {
        public string Name { get; } = name;
        public int Begin { get; } = begin;
        public int TextStart { get; } = textStart;
        public string? Url { get; set; }
        public string? Language { get; set; }
        public string? EmojiId { get; set; }
        public bool Expandable { get; set; }
    }

    /// <summary>Parses <paramref name="html"/>; on success returns the visible text and its entities, otherwise the error (without the "Bad Request: can't parse entities: " prefix).</summary>
    public static bool TryParse(string html, bool strictEntities, out string text, out IReadOnlyList<FakeEntity> entities, out string? error)
    {
        var sb = new StringBuilder(html.Length);
        var found = new List<FakeEntity>();
        var open = new List<OpenTag>();
        text = "";
        entities = [];
        error = null;
        var n = html.Length;
        var i = 0;
        while (i < n)
        {
            var c = html[i];
            if (c == '&')
            {
                if (TryDecodeEntity(html, ref i, sb))
                    continue;
                if (strictEntities)
                {
                    error = $"Unsupported HTML entity at byte offset {ByteOffset(html, i)}: escape '&' as &amp;amp; (only &lt; &gt; &amp; &quot; and numeric entities are supported)";
                    return false;
                }
                sb.Append('&');
                i++;
                continue;
            }
            if (c != '<')
            {
                sb.Append(c);
                i++;
                continue;
            }

            var begin = i;
            i++;
            if (i < n && html[i] == '/')
            {
                i++;
                var nameStart = i;
                while (i < n && !char.IsWhiteSpace(html[i]) && html[i] != '>')
                    i++;
                var endName = html[nameStart..i].ToLowerInvariant();
                while (i < n && char.IsWhiteSpace(html[i]))
                    i++;
                if (i >= n || html[i] != '>')
                {
                    error = $"Unclosed end tag at byte offset {ByteOffset(html, begin)}";
                    return false;
                }
                i++;
                if (open.Count == 0)
                {
                    error = $"Unexpected end tag at byte offset {ByteOffset(html, begin)}";
                    return false;
                }
                var top = open[^1];
                if (top.Name != endName)
                {
                    error = $"Unmatched end tag at byte offset {ByteOffset(html, begin)}, expected \"</{top.Name}>\", found \"</{endName}>\"";
                    return false;
                }
                open.RemoveAt(open.Count - 1);
                Close(top, sb.Length, open, found);
                continue;
            }

            var tagStart = i;
            while (i < n && !char.IsWhiteSpace(html[i]) && html[i] != '>')
                i++;
            if (i >= n)
            {
                error = $"Unclosed start tag at byte offset {ByteOffset(html, begin)}";
                return false;
            }
            var tag = html[tagStart..i].ToLowerInvariant();
            if (!EntityTypes.ContainsKey(tag))
            {
                error = $"Unsupported start tag \"{tag}\" at byte offset {ByteOffset(html, begin)}";
                return false;
            }

            var openTag = new OpenTag(tag, begin, sb.Length);
            string? spanClass = null;
            while (html[i] != '>')
            {
                while (i < n && char.IsWhiteSpace(html[i]))
                    i++;
                if (i >= n)
                {
                    error = $"Unclosed start tag at byte offset {ByteOffset(html, begin)}";
                    return false;
                }
                if (html[i] == '>')
                    break;
                var attrStart = i;
                while (i < n && !char.IsWhiteSpace(html[i]) && html[i] != '=' && html[i] != '>')
                    i++;
                var attrName = html[attrStart..i].ToLowerInvariant();
                if (attrName.Length == 0)
                {
                    error = $"Empty attribute name in the tag \"{tag}\" at byte offset {ByteOffset(html, begin)}";
                    return false;
                }
                while (i < n && char.IsWhiteSpace(html[i]))
                    i++;
                if (i >= n)
                {
                    error = $"Unclosed start tag at byte offset {ByteOffset(html, begin)}";
                    return false;
                }
                if (html[i] != '=')
                {
                    if (tag == "blockquote" && attrName == "expandable")
                    {
                        openTag.Expandable = true;
                        continue;
                    }
                    error = $"Expected equal sign in declaration of an attribute of the tag \"{tag}\" at byte offset {ByteOffset(html, begin)}";
                    return false;
                }
                i++;
                while (i < n && char.IsWhiteSpace(html[i]))
                    i++;
                if (i >= n)
                {
                    error = $"Unclosed start tag at byte offset {ByteOffset(html, begin)}";
                    return false;
                }
                string value;
                if (html[i] is '"' or '\'')
                {
                    var quote = html[i];
                    i++;
                    var valueBuilder = new StringBuilder();
                    while (i < n && html[i] != quote)
                    {
                        if (html[i] == '&' && TryDecodeEntity(html, ref i, valueBuilder))
                            continue;
                        valueBuilder.Append(html[i]);
                        i++;
                    }
                    if (i >= n)
                    {
                        error = $"Unclosed start tag at byte offset {ByteOffset(html, begin)}";
                        return false;
                    }
                    i++;
                    value = valueBuilder.ToString();
                }
                else
                {
                    var valueStart = i;
                    while (i < n && (char.IsAsciiLetterOrDigit(html[i]) || html[i] is '.' or '-' or '_'))
                        i++;
                    value = html[valueStart..i];
                    if (i >= n)
                    {
                        error = $"Unclosed start tag at byte offset {ByteOffset(html, begin)}";
                        return false;
                    }
                    if (!char.IsWhiteSpace(html[i]) && html[i] != '>')
                    {
                        error = $"Unexpected end of name token at byte offset {ByteOffset(html, i)}";
                        return false;
                    }
                }

                switch (tag, attrName)
                {
                    case ("a", "href"):
                        openTag.Url = value;
                        break;
                    case ("code", "class") when value.StartsWith("language-", StringComparison.Ordinal):
                        openTag.Language = value["language-".Length..];
                        break;
                    case ("span", "class"):
                        spanClass = value;
                        break;
                    case ("tg-emoji", "emoji-id"):
                        openTag.EmojiId = value;
                        break;
                    default:
                        break;
                }
            }
            i++;

            if (tag == "span" && spanClass != "tg-spoiler")
            {
                error = $"Tag \"span\" must have class \"tg-spoiler\" at byte offset {ByteOffset(html, begin)}";
                return false;
            }
            if (tag == "tg-emoji" && (openTag.EmojiId is null || !long.TryParse(openTag.EmojiId, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                error = $"Custom emoji identifier must be non-empty at byte offset {ByteOffset(html, begin)}";
                return false;
            }
            open.Add(openTag);
        }

        if (open.Count > 0)
        {
            error = $"Can't find end tag corresponding to start tag \"{open[^1].Name}\"";
            return false;
        }

        text = sb.ToString();
        found.Sort((a, b) => a.Offset != b.Offset ? a.Offset.CompareTo(b.Offset) : b.Length.CompareTo(a.Length));
        entities = found;
        return true;
    }

    private static void Close(OpenTag tag, int textEnd, List<OpenTag> stillOpen, List<FakeEntity> found)
    {
        var length = textEnd - tag.TextStart;
        if (tag.Name == "code" && stillOpen.Count > 0 && stillOpen[^1].Name == "pre")
        {
            // <pre><code class="language-x">…</code></pre> is one pre entity with a language.
            stillOpen[^1].Language ??= tag.Language;
            return;
        }
        if (length <= 0)
            return;
        var type = EntityTypes[tag.Name];
        switch (tag.Name)
        {
            case "a":
                if (!string.IsNullOrEmpty(tag.Url))
                    found.Add(new FakeEntity(type, tag.TextStart, length, Url: tag.Url));
                break;
            case "pre":
                found.Add(new FakeEntity(type, tag.TextStart, length, Language: tag.Language));
                break;
            case "blockquote":
                found.Add(new FakeEntity(tag.Expandable ? "expandable_blockquote" : type, tag.TextStart, length));
                break;
            case "tg-emoji":
                found.Add(new FakeEntity(type, tag.TextStart, length, CustomEmojiId: tag.EmojiId));
                break;
            default:
                found.Add(new FakeEntity(type, tag.TextStart, length));
                break;
        }
    }

    /// <summary>At <c>html[i] == '&amp;'</c>: decodes &amp;lt; &amp;gt; &amp;amp; &amp;quot; &amp;#N; &amp;#xN; (the ';' is required) and advances past it.</summary>
    private static bool TryDecodeEntity(string html, ref int i, StringBuilder sb)
    {
        var semicolon = html.IndexOf(';', i + 1);
        if (semicolon < 0 || semicolon - i > 12)
            return false;
        var name = html.AsSpan(i + 1, semicolon - i - 1);
        string? decoded = name switch
        {
            "lt" => "<",
            "gt" => ">",
            "amp" => "&",
            "quot" => "\"",
            _ => null,
        };
        if (decoded is null && name.Length >= 2 && name[0] == '#')
        {
            var digits = name[1..];
            var style = NumberStyles.None;
            if (digits.Length > 1 && digits[0] is 'x' or 'X')
            {
                digits = digits[1..];
                style = NumberStyles.AllowHexSpecifier;
            }
            if (int.TryParse(digits, style, CultureInfo.InvariantCulture, out var code)
                && code is > 0 and <= 0x10FFFF && code is not (>= 0xD800 and <= 0xDFFF))
                decoded = char.ConvertFromUtf32(code);
        }
        if (decoded is null)
            return false;
        sb.Append(decoded);
        i = semicolon + 1;
        return true;
    }

    private static int ByteOffset(string html, int index) => Encoding.UTF8.GetByteCount(html.AsSpan(0, index));

    /// <summary>Trims leading and trailing whitespace as Telegram does, shifting and clipping the entities.</summary>
    public static (string Text, IReadOnlyList<FakeEntity> Entities) Trim(string text, IReadOnlyList<FakeEntity> entities)
    {
        var start = 0;
        while (start < text.Length && char.IsWhiteSpace(text[start]))
            start++;
        var end = text.Length;
        while (end > start && char.IsWhiteSpace(text[end - 1]))
            end--;
        if (start == 0 && end == text.Length)
            return (text, entities);
        var trimmed = new List<FakeEntity>();
        foreach (var e in entities)
        {
            var s = Math.Max(e.Offset, start);
            var f = Math.Min(e.Offset + e.Length, end);
            if (f > s)
                trimmed.Add(e with { Offset = s - start, Length = f - s });
        }
        return (text[start..end], trimmed);
    }
}
