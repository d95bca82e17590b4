using System.Net;
using System.ServiceModel.Syndication;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using KernelDigest.Core.Lore;

namespace KernelDigest.Bot.Lore;

/// <summary>
/// Reads public-inbox's Atom (search <c>x=A</c>, <c>new.atom</c>, <c>t.atom</c>) with System.ServiceModel.Syndication:
/// each entry's author, title, updated time, link (the Message-ID), <c>thr:in-reply-to</c> (the parent) and the
/// message text from its xhtml content (tags stripped, entities decoded).
/// </summary>
internal static partial class LoreAtom
{
    private const string ThreadNamespace = "http://purl.org/syndication/thread/1.0";

    /// <summary>
    /// The messages of one page; null for public-inbox's "nothing here" (404 "[No results found]", or a bare
    /// <c>&lt;/feed&gt;</c> for a page past the end). Anything else that is not Atom is an error naming the URL.
    /// </summary>
    public static List<LoreMessage>? Parse(string url, LoreClient.Fetched answer, string inbox, Uri baseUrl)
    {
        var text = Encoding.UTF8.GetString(answer.Body);
        if (answer.Status == 404)
        {
            if (text.Contains("No results found", StringComparison.Ordinal))
                return null;
            throw new LoreException(url, $"404 Not Found: {FirstLine(answer.Body)} (is '{inbox}' an inbox on this server?)");
        }
        if (text.Trim() == "</feed>")
            return null;
        SyndicationFeed feed;
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(answer.Body), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            feed = SyndicationFeed.Load(reader);
        }
        catch (Exception ex) when (ex is XmlException or InvalidOperationException)
        {
            throw new LoreException(url, $"not an Atom feed ({answer.ContentType ?? "no content type"}{TitleOf(text)})");
        }
        var messages = new List<LoreMessage>();
        foreach (var item in feed.Items)
        {
            var link = item.Links.FirstOrDefault()?.GetAbsoluteUri()?.ToString();
            var id = link is null ? null : LoreUrls.MessageIdFromUrl(link);
            if (id is null)
                continue;
            var author = item.Authors.FirstOrDefault();
            var email = author?.Email ?? "";
            string? parent = null;
            foreach (var ext in item.ElementExtensions.Where(e => e.OuterName == "in-reply-to" && e.OuterNamespace == ThreadNamespace))
            {
                using var r = ext.GetReader();
                if (r.GetAttribute("href") is { } href)
                    parent = LoreUrls.MessageIdFromUrl(href);
            }
            messages.Add(new LoreMessage
            {
                MessageId = id,
                Inbox = inbox,
                Subject = LoreMessageText(item.Title?.Text ?? ""),
                AuthorName = author?.Name ?? email.Split('@')[0],
                AuthorEmail = email,
                Date = item.LastUpdatedTime,
                InReplyTo = parent,
                References = parent is null ? [] : [parent],
                Body = ContentText(item.Content),
                Url = LoreUrls.Message(baseUrl, inbox, id),
            });
        }
        return messages;
    }

    private static string LoreMessageText(string title) => string.Join(' ', title.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>The message text inside <c>&lt;div&gt;&lt;pre&gt;…</c>: markup (quote, diff, link spans) dropped, entities decoded.</summary>
    private static string ContentText(SyndicationContent? content)
    {
        var xhtml = content switch
        {
            TextSyndicationContent t => t.Text,
            XmlSyndicationContent x => ReadXml(x),
            _ => "",
        };
        return WebUtility.HtmlDecode(Tags().Replace(xhtml, ""));
    }

    private static string ReadXml(XmlSyndicationContent content)
    {
        using var reader = content.GetReaderAtContent();
        return reader.ReadInnerXml();
    }

    internal static string FirstLine(byte[] body)
    {
        var text = Tags().Replace(Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 2000)), " ");
        var line = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "(empty body)";
        return line.Length > 120 ? line[..117] + "..." : line;
    }

    internal static string TitleOf(string text) =>
        TitleRe().Match(text) is { Success: true } m ? $", page titled '{WebUtility.HtmlDecode(m.Groups[1].Value).Trim()}'" : "";

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Tags();

    [GeneratedRegex("<title[^>]*>([^<]*)</title>", RegexOptions.IgnoreCase)]
    private static partial Regex TitleRe();
}
