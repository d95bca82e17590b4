using System.Text;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;
using Telegram.Bot.Extensions;
using Telegram.Bot.Types.ReplyMarkups;

namespace KernelDigest.Bot.TelegramChat;

/// <summary>One Telegram message: HTML text within the Bot API limit, and the keyboard it carries.</summary>
public sealed record TelegramMessage(string Html, InlineKeyboardMarkup? Keyboard, bool DisableLinkPreview);

/// <summary>
/// Renders a <see cref="Reply"/> as Telegram HTML messages. Every report and user string is escaped; a long reply is
/// split between blocks, else between lines, else inside a line — but never inside a tag or an entity, because each
/// piece is escaped and wrapped on its own. The page keyboard rides on the last message.
/// </summary>
public static class TelegramRenderer
{
    /// <summary>The Bot API's limit for a message's text after entity parsing.</summary>
    public const int MaxMessageLength = 4096;

    private enum Style { Plain, Bold, Italic, Link }

    private readonly record struct Run(string Text, Style Style, string? Url = null);

    /// <summary>A line is a list of styled runs; a block is a list of lines. Blocks are separated by a blank line.</summary>
    private sealed class Block : List<List<Run>>;

    public static IReadOnlyList<TelegramMessage> Render(Reply reply, int maxLength = MaxMessageLength)
    {
        var blocks = Blocks(reply);
        var chunks = Pack(blocks, maxLength);
        var keyboard = PageKeyboard(reply);
        var disablePreview = reply.Items.Count != 1;
        return [.. chunks.Select((html, i) => new TelegramMessage(html, i == chunks.Count - 1 ? keyboard : null, disablePreview))];
    }

    /// <summary>The text a user sees for the whole reply (no markup): what the chunks add up to.</summary>
    public static string VisibleText(Reply reply) =>
        string.Join("\n\n", Blocks(reply).Select(b => string.Join("\n", b.Select(line => string.Concat(line.Select(r => r.Text))))));

    /// <summary>Renders one entry item as a standalone message (inline-mode results).</summary>
    public static string RenderItem(ReplyItem item)
    {
        var block = ItemBlock(item, null);
        return string.Join("\n", block.Select(LineHtml));
    }

    private static List<Block> Blocks(Reply reply)
    {
        var texts = BotTexts.For(reply.Lang);
        var blocks = new List<Block>();
        var head = new Block { new() { new Run(reply.Title, Style.Bold) } };
        foreach (var p in reply.Body)
            head.Add([new Run(p, Style.Plain)]);
        blocks.Add(head);

        if (reply.Groups.Count > 0)
        {
            foreach (var group in reply.Groups)
            {
                var heading = new Block { new() { new Run("■ " + group.Heading, Style.Bold) } };
                foreach (var intro in group.Intro)
                    heading.Add([new Run(intro, Style.Plain)]);
                blocks.Add(heading);
                for (var i = group.FirstItem; i < group.FirstItem + group.ItemCount; i++)
                    blocks.Add(ItemBlock(reply.Items[i], null));
            }
        }
        else
        {
            var number = reply.Page is { } page ? (page.Number - 1) * CommandRouter.PageSize + 1 : 1;
            foreach (var item in reply.Items)
                blocks.Add(ItemBlock(item, number++));
        }
        if (reply.Page is { Count: > 1 } p2)
            blocks.Add(new Block { new() { new Run(texts.PageLine(p2.Number, p2.Count, p2.Total), Style.Italic) } });
        return blocks;
    }

    private static Block ItemBlock(ReplyItem item, int? number)
    {
        var block = new Block { new() { new Run(number is { } n ? $"{n}. " : "• ", Style.Plain), new Run(item.Title, Style.Bold) } };
        if (item.Meta is not null)
            block.Add([new Run(item.Meta, Style.Italic)]);
        if (item.Summary is not null)
            block.Add([new Run(item.Summary, Style.Plain)]);
        if (item.Snippet is { IsEmpty: false } snippet && snippet.PlainText.Trim() != item.Summary?.Trim())
            block.Add([.. snippet.Parts.Select(p => new Run(p.Text, p.Highlight ? Style.Bold : Style.Plain))]);
        if (item.Links.Count > 0)
        {
            var line = new List<Run>();
            foreach (var link in item.Links)
            {
                if (line.Count > 0)
                    line.Add(new Run(" · ", Style.Plain));
                line.Add(new Run(LinkText(link), Style.Link, link.Url));
            }
            block.Add(line);
        }
        return block;
    }

    private static string LinkText(ReportLink link) => link.Kind switch
    {
        LinkKind.Lwn => string.IsNullOrEmpty(link.Label) ? "LWN" : $"LWN {link.Label}",
        LinkKind.Lore => string.IsNullOrEmpty(link.Label) ? "lore" : $"lore {link.Label}",
        LinkKind.Docs => string.IsNullOrEmpty(link.Label) ? "docs" : $"docs {link.Label}",
        _ => string.IsNullOrEmpty(link.Label) ? (Uri.TryCreate(link.Url, UriKind.Absolute, out var u) ? u.Host : "link") : link.Label,
    };

    /// <summary>Packs blocks into messages of at most <paramref name="max"/> visible characters.</summary>
    private static List<string> Pack(List<Block> blocks, int max)
    {
        var chunks = new List<string>();
        var html = new StringBuilder();
        var visible = 0;

        void Flush()
        {
            if (html.Length > 0)
                chunks.Add(html.ToString());
            html.Clear();
            visible = 0;
        }

        void Append(string separator, List<Run> line)
        {
            var length = LineLength(line);
            if (visible > 0 && visible + separator.Length + length > max)
                Flush();
            if (length > max)
            {
                // One line longer than a whole message (hostile input, a huge paragraph): cut it into pieces that
                // each fit, every piece escaped and wrapped in its own tags.
                foreach (var piece in SplitLine(line, max))
                {
                    Flush();
                    html.Append(LineHtml(piece));
                    visible = LineLength(piece);
                }
                return;
            }
            if (visible > 0)
                html.Append(separator);
            html.Append(LineHtml(line));
            visible += (visible > 0 ? separator.Length : 0) + length;
        }

        foreach (var block in blocks)
        {
            var blockLength = block.Sum(LineLength) + Math.Max(0, block.Count - 1);
            if (visible > 0 && visible + 2 + blockLength > max)
                Flush();
            for (var i = 0; i < block.Count; i++)
                Append(i == 0 ? "\n\n" : "\n", block[i]);
        }
        Flush();
        return chunks;
    }

    private static int LineLength(List<Run> line) => line.Sum(r => r.Text.Length);

    private static IEnumerable<List<Run>> SplitLine(List<Run> line, int max)
    {
        var current = new List<Run>();
        var length = 0;
        foreach (var run in line)
        {
            var text = run.Text;
            while (text.Length > 0)
            {
                var room = max - length;
                if (room <= 0)
                {
                    yield return current;
                    current = [];
                    length = 0;
                    room = max;
                }
                var take = Math.Min(room, text.Length);
                if (take < text.Length)
                {
                    // Prefer a space near the cut; never split a surrogate pair.
                    var space = text.LastIndexOf(' ', take - 1, Math.Min(take, 200));
                    if (space > 0)
                        take = space + 1;
                    else if (char.IsHighSurrogate(text[take - 1]))
                        take--;
                }
                current.Add(run with { Text = text[..take] });
                length += take;
                text = text[take..];
            }
        }
        if (current.Count > 0)
            yield return current;
    }

    private static string LineHtml(List<Run> line)
    {
        var sb = new StringBuilder();
        foreach (var run in line)
        {
            var text = HtmlText.Escape(run.Text);
            switch (run.Style)
            {
                case Style.Bold:
                    sb.Append("<b>").Append(text).Append("</b>");
                    break;
                case Style.Italic:
                    sb.Append("<i>").Append(text).Append("</i>");
                    break;
                case Style.Link when Uri.TryCreate(run.Url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https":
                    sb.Append("<a href=\"").Append(HtmlText.Escape(uri.AbsoluteUri)).Append("\">").Append(text).Append("</a>");
                    break;
                default:
                    sb.Append(text);
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>"‹ prev" / "next ›" buttons for a paged search; null when there is one page.</summary>
    private static InlineKeyboardMarkup? PageKeyboard(Reply reply)
    {
        if (reply.Page is not { Count: > 1 } page || reply.Command != "patch")
            return null;
        var args = page.CommandText.StartsWith("/patch ", StringComparison.Ordinal) ? page.CommandText[7..] : page.CommandText;
        var en = reply.Lang == Lang.En;
        var row = new List<InlineKeyboardButton>();
        if (page.HasPrevious)
            row.Add(InlineKeyboardButton.WithCallbackData(en ? "‹ Prev" : "‹ 上一页", PageToken.Encode(page.Number - 1, args)));
        row.Add(InlineKeyboardButton.WithCallbackData($"{page.Number}/{page.Count}", PageToken.Encode(page.Number, args)));
        if (page.HasNext)
            row.Add(InlineKeyboardButton.WithCallbackData(en ? "Next ›" : "下一页 ›", PageToken.Encode(page.Number + 1, args)));
        return new InlineKeyboardMarkup(row);
    }
}

/// <summary>
/// The stateless page token in a button's callback_data (at most 64 bytes): "pg|{page}|{query}". A query too long to
/// fit is left out ("pg|{page}|#") and read back from the first line of the message the button belongs to.
/// </summary>
public static class PageToken
{
    public const int MaxBytes = 64;
    private const string Prefix = "pg|";

    public static string Encode(int page, string query)
    {
        var head = $"{Prefix}{page}|";
        var full = head + query;
        return Encoding.UTF8.GetByteCount(full) <= MaxBytes ? full : head + "#";
    }

    /// <summary>Reads a token; <paramref name="query"/> is null when it must come from the message.</summary>
    public static bool TryDecode(string? data, out int page, out string? query)
    {
        page = 0;
        query = null;
        if (data is null || !data.StartsWith(Prefix, StringComparison.Ordinal))
            return false;
        var bar = data.IndexOf('|', Prefix.Length);
        if (bar < 0 || !int.TryParse(data.AsSpan(Prefix.Length, bar - Prefix.Length), out page) || page is < 1 or > 10_000)
            return false;
        var rest = data[(bar + 1)..];
        query = rest == "#" ? null : rest;
        return query is null || query.Length > 0;
    }

    /// <summary>The query shown in a search reply's first line ("搜索:TDP MMU" / "Search: TDP MMU").</summary>
    public static string? QueryFromMessage(string? messageText)
    {
        var first = messageText?.Split('\n', 2)[0];
        if (first is null)
            return null;
        foreach (var lang in new[] { Lang.Zh, Lang.En })
        {
            var prefix = BotTexts.For(lang).ResultsTitle("");
            if (first.StartsWith(prefix, StringComparison.Ordinal) && first.Length > prefix.Length)
                return first[prefix.Length..];
        }
        return null;
    }
}
