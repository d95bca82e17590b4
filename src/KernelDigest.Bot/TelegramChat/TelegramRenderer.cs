using System.Text;
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

    private enum Style { Plain, Bold, Italic, Link, BoldLink }

    private readonly record struct Run(string Text, Style Style, string? Url = null);

    /// <summary>A line is a list of styled runs; a block is a list of lines. Blocks are separated by a blank line.</summary>
    private sealed class Block : List<List<Run>>;

    /// <param name="reply">The reply.</param>
    /// <param name="pages">Makes the page buttons' tokens; a reply with one page (a digest, an error) needs none.</param>
    /// <param name="maxLength">The longest message, in visible characters.</param>
    public static IReadOnlyList<TelegramMessage> Render(Reply reply, PageCodec? pages = null, int maxLength = MaxMessageLength)
    {
        var blocks = Blocks(reply);
        var chunks = Pack(blocks, maxLength);
        var keyboard = PageKeyboard(reply, pages);
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
            var number = reply.FirstNumber;
            foreach (var item in reply.Items)
                blocks.Add(ItemBlock(item, number++));
        }
        if (reply.Page is { Count: > 1 } p2)
            blocks.Add(new Block { new() { new Run(texts.PageLine(p2.Number, p2.Count, p2.Total), Style.Italic) } });
        return blocks;
    }

    private static Block ItemBlock(ReplyItem item, int? number)
    {
        var block = new Block { new() { new Run(number is { } n ? $"{n}. " : "• ", Style.Plain), item.Url is null ? new Run(item.Title, Style.Bold) : new Run(item.Title, Style.BoldLink, item.Url) } };
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
                line.Add(new Run(LinkText.For(link), Style.Link, link.Url));
            }
            block.Add(line);
        }
        return block;
    }

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
                case Style.BoldLink when Uri.TryCreate(run.Url, UriKind.Absolute, out var page) && page.Scheme is "http" or "https":
                    // An entry's title opens its page in the web archive.
                    sb.Append("<b><a href=\"").Append(HtmlText.Escape(page.AbsoluteUri)).Append("\">").Append(text).Append("</a></b>");
                    break;
                case Style.BoldLink:
                    sb.Append("<b>").Append(text).Append("</b>");
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

    /// <summary>
    /// The action buttons (a row, "Follow 1" …) above the page buttons (<see cref="PageButtons"/>) as an inline
    /// keyboard; null when there are neither.
    /// </summary>
    private static InlineKeyboardMarkup? PageKeyboard(Reply reply, PageCodec? pages)
    {
        if (pages is null)
            return null;
        var rows = new[] { PageButtons.Actions(reply, pages, TokenLimit.Telegram), PageButtons.For(reply, pages, TokenLimit.Telegram) }
            .Where(r => r.Count > 0)
            .Select(r => r.Select(b => InlineKeyboardButton.WithCallbackData(b.Label, b.Token)))
            .ToList();
        return rows.Count == 0 ? null : new InlineKeyboardMarkup(rows);
    }
}
