using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace KernelDigest.Bot.Web;

/// <summary>
/// Writes HTML where every piece of text and every attribute value goes through <see cref="HtmlEncoder"/>; only tag
/// names and fixed markup from this code are written as they are. Report text and queries are hostile until encoded.
/// </summary>
internal sealed class Html
{
    // All of Unicode passes as itself (a Chinese page stays readable and small); markup characters are still encoded.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private readonly StringBuilder _sb = new(8 * 1024);

    public override string ToString() => _sb.ToString();

    /// <summary>Fixed markup from this code (a doctype, a tag). Never pass anything a report or a request supplied.</summary>
    public Html Markup(string markup)
    {
        _sb.Append(markup);
        return this;
    }

    public Html Text(string? text)
    {
        if (!string.IsNullOrEmpty(text))
            _sb.Append(Encoder.Encode(text));
        return this;
    }

    public Html Open(string tag, params ReadOnlySpan<(string Name, string? Value)> attributes)
    {
        _sb.Append('<').Append(tag);
        foreach (var (name, value) in attributes)
        {
            if (value is null)
                continue;
            _sb.Append(' ').Append(name).Append("=\"");
            _sb.Append(Encoder.Encode(value));
            _sb.Append('"');
        }
        _sb.Append('>');
        return this;
    }

    public Html Close(string tag)
    {
        _sb.Append("</").Append(tag).Append('>');
        return this;
    }

    /// <summary>An element holding text only.</summary>
    public Html Element(string tag, string? text, params ReadOnlySpan<(string Name, string? Value)> attributes) =>
        Open(tag, attributes).Text(text).Close(tag);

    /// <summary>A link to an address this site built (relative) or to a checked http(s) address.</summary>
    public Html Link(string href, string? text, params ReadOnlySpan<(string Name, string? Value)> attributes)
    {
        _sb.Append("<a href=\"");
        _sb.Append(Encoder.Encode(href));
        _sb.Append('"');
        foreach (var (name, value) in attributes)
        {
            if (value is null)
                continue;
            _sb.Append(' ').Append(name).Append("=\"");
            _sb.Append(Encoder.Encode(value));
            _sb.Append('"');
        }
        _sb.Append('>');
        return Text(text).Close("a");
    }

    /// <summary>
    /// A report's link: live only when it is an absolute http(s) address (never <c>javascript:</c>, <c>data:</c> or a
    /// relative path a report could aim into this site); anything else is shown as text.
    /// </summary>
    public Html ExternalLink(string url, string text)
    {
        if (SafeUrl(url) is { } safe)
            return Link(safe, text, ("rel", "noopener noreferrer nofollow"));
        return Text(text);
    }

    public static string? SafeUrl(string url) =>
        Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri.AbsoluteUri : null;
}
