using System.Globalization;
using System.Text;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;

namespace KernelDigest.Bot.DiscordChat;

/// <summary>
/// Renders a <see cref="Reply"/> as Discord messages of embeds, within Discord's limits: the reply's title and body
/// head the first embed, items are fields, a digest's sections each start an embed, and whatever does not fit goes
/// into continuation embeds and further messages (each message at most 10 embeds and 6,000 characters). Every report
/// and user string is markdown-escaped and mention-neutralised. A paged search carries page buttons; entries carry
/// link buttons for their LWN and lore links. Pure: no I/O.
/// </summary>
public static class DiscordRenderer
{
    public const int MaxTitle = 256;
    public const int MaxDescription = 4096;
    public const int MaxFields = 25;
    public const int MaxFieldName = 256;
    public const int MaxFieldValue = 1024;
    public const int MaxFooter = 2048;
    public const int MaxMessageTotal = 6000;
    public const int MaxEmbeds = 10;
    public const int MaxCustomId = 100;
    public const int MaxButtonsPerRow = 5;
    public const int MaxRows = 5;
    public const int MaxButtonLabel = 80;
    public const int MaxButtonUrl = 512;

    public const int Color = 0xF0A020;
    public const int ErrorColor = 0xD9534F;

    /// <summary>Prefix of a page button's custom_id: "pg|{page}|{query}", or "pg|{page}|#" when the query does not fit.</summary>
    public const string PagePrefix = "pg|";

    private const string ZeroWidthSpace = "\u200b";
    private const int LinkLineBudget = 400;

    private sealed class Draft
    {
        public string? Title { get; set; }
        public string? Description { get; set; }
        public List<DiscordEmbedField> Fields { get; } = [];
        public string? Footer { get; set; }

        /// <summary>The reply items shown in this embed, with the number each is shown under (null in digests).</summary>
        public List<(int Index, int? Number)> Items { get; } = [];

        public int Length => (Title?.Length ?? 0) + (Description?.Length ?? 0) + (Footer?.Length ?? 0) + Fields.Sum(f => f.Name.Length + f.Value.Length);

        public bool IsEmpty => Title is null && Description is null && Fields.Count == 0 && Footer is null;
    }

    public static IReadOnlyList<DiscordMessage> Render(Reply reply)
    {
        var drafts = Drafts(reply);
        var color = reply.IsError ? ErrorColor : Color;
        var groups = Pack(drafts);
        var pageRow = PageRow(reply);
        var messages = new List<DiscordMessage>();
        for (var m = 0; m < groups.Count; m++)
        {
            var rows = new List<DiscordActionRow>();
            if (m == groups.Count - 1 && pageRow is not null)
                rows.Add(pageRow);
            rows.AddRange(LinkRows(reply, groups[m].SelectMany(d => d.Items), MaxRows - rows.Count));
            messages.Add(new DiscordMessage
            {
                Embeds = [.. groups[m].Select(d => new DiscordEmbed
                {
                    Title = d.Title,
                    Description = d.Description,
                    Color = color,
                    Fields = d.Fields.Count > 0 ? d.Fields : null,
                    Footer = d.Footer is null ? null : new DiscordEmbedFooter(d.Footer),
                })],
                Components = rows,
            });
        }
        return messages;
    }

    private static List<Draft> Drafts(Reply reply)
    {
        var texts = BotTexts.For(reply.Lang);
        var drafts = new List<Draft>();
        Draft current = null!;

        void Start(string? title, IEnumerable<string> paragraphs)
        {
            var chunks = SplitEscaped(string.Join("\n\n", paragraphs), MaxDescription);
            current = new Draft { Title = string.IsNullOrWhiteSpace(title) ? null : Fit(title, MaxTitle), Description = chunks.Count > 0 ? chunks[0] : null };
            drafts.Add(current);
            foreach (var chunk in chunks.Skip(1))
            {
                current = new Draft { Description = chunk };
                drafts.Add(current);
            }
        }

        void Add(DiscordEmbedField field, int index, int? number)
        {
            if (current.Fields.Count == MaxFields || current.Length + field.Name.Length + field.Value.Length > MaxMessageTotal)
            {
                current = new Draft();
                drafts.Add(current);
            }
            current.Fields.Add(field);
            current.Items.Add((index, number));
        }

        Start(reply.Title, reply.Body);
        if (reply.Groups.Count > 0)
        {
            foreach (var group in reply.Groups)
            {
                Start("■ " + group.Heading, group.Intro);
                for (var i = group.FirstItem; i < group.FirstItem + group.ItemCount && i < reply.Items.Count; i++)
                    Add(ItemField(reply.Items[i], null), i, null);
            }
        }
        else
        {
            var number = reply.Page is { } page ? (page.Number - 1) * CommandRouter.PageSize + 1 : 1;
            for (var i = 0; i < reply.Items.Count; i++, number++)
                Add(ItemField(reply.Items[i], number), i, number);
        }
        if (reply.Page is { Count: > 1 } p)
        {
            var footer = TextUtil.Truncate(texts.PageLine(p.Number, p.Count, p.Total), MaxFooter);
            if (current.Length + footer.Length > MaxMessageTotal)
            {
                current = new Draft();
                drafts.Add(current);
            }
            current.Footer = footer;
        }
        return [.. drafts.Where(d => !d.IsEmpty)];
    }

    /// <summary>Packs embeds into messages: at most 10 embeds and 6,000 counted characters each.</summary>
    private static List<List<Draft>> Pack(List<Draft> drafts)
    {
        var messages = new List<List<Draft>>();
        var message = new List<Draft>();
        var total = 0;
        foreach (var draft in drafts)
        {
            if (message.Count > 0 && (message.Count == MaxEmbeds || total + draft.Length > MaxMessageTotal))
            {
                messages.Add(message);
                message = [];
                total = 0;
            }
            message.Add(draft);
            total += draft.Length;
        }
        if (message.Count > 0)
            messages.Add(message);
        if (messages.Count == 0)
            messages.Add([new Draft { Description = ZeroWidthSpace }]);
        return messages;
    }

    private static DiscordEmbedField ItemField(ReplyItem item, int? number)
    {
        // The number is ours and stays as it is; only the title is report text to escape.
        var prefix = number is { } n ? n.ToString(CultureInfo.InvariantCulture) + ". " : "• ";
        var name = prefix + Fit(item.Title, MaxFieldName - prefix.Length);

        var links = new StringBuilder();
        foreach (var link in item.Links)
        {
            if (SafeUrl(link.Url) is not { } url)
                continue;
            var markdown = $"[{Escape(LinkText(link))}]({url.Replace("(", "%28", StringComparison.Ordinal).Replace(")", "%29", StringComparison.Ordinal)})";
            var separator = links.Length > 0 ? " · " : "";
            if (links.Length + separator.Length + markdown.Length > LinkLineBudget)
                break;
            links.Append(separator).Append(markdown);
        }

        var budget = MaxFieldValue - (links.Length > 0 ? links.Length + 1 : 0);
        var lines = new List<string>();
        var used = 0;

        bool Take(string line)
        {
            var needed = line.Length + (lines.Count > 0 ? 1 : 0);
            if (used + needed > budget)
                return false;
            lines.Add(line);
            used += needed;
            return true;
        }

        int Room() => budget - used - (lines.Count > 0 ? 1 : 0);

        if (item.Meta is { Length: > 0 } meta && Room() > 8)
            Take("*" + Fit(meta, Room() - 2) + "*");
        if (item.Summary is { Length: > 0 } summary && Room() > 8)
            Take(Fit(summary, Room()));
        if (item.Snippet is { IsEmpty: false } snippet && snippet.PlainText.Trim() != item.Summary?.Trim())
        {
            var sb = new StringBuilder();
            foreach (var part in snippet.Parts)
            {
                var escaped = Escape(part.Text);
                sb.Append(part.Highlight && part.Text.Trim().Length > 0 ? "**" + escaped + "**" : escaped);
            }
            Take(sb.ToString()); // a supplement: left out when it does not fit whole
        }
        if (links.Length > 0)
            lines.Add(links.ToString());
        var value = string.Join("\n", lines);
        return new DiscordEmbedField(name, value.Length == 0 ? ZeroWidthSpace : value);
    }

    private static string LinkText(ReportLink link) => link.Kind switch
    {
        LinkKind.Lwn => string.IsNullOrEmpty(link.Label) ? "LWN" : $"LWN {link.Label}",
        LinkKind.Lore => string.IsNullOrEmpty(link.Label) ? "lore" : $"lore {link.Label}",
        LinkKind.Docs => string.IsNullOrEmpty(link.Label) ? "docs" : $"docs {link.Label}",
        _ => string.IsNullOrEmpty(link.Label) ? (Uri.TryCreate(link.Url, UriKind.Absolute, out var u) ? u.Host : "link") : link.Label,
    };

    private static string? SafeUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsoluteUri.Length <= MaxButtonUrl
            ? uri.AbsoluteUri
            : null;

    /// <summary>"‹ Prev", "n/N" (disabled), "Next ›" for a paged search; null when there is one page.</summary>
    private static DiscordActionRow? PageRow(Reply reply)
    {
        if (reply.Page is not { Count: > 1 } page || reply.Command != "patch")
            return null;
        var query = page.CommandText.StartsWith("/patch ", StringComparison.Ordinal) ? page.CommandText[7..] : page.CommandText;
        var en = reply.Lang == Lang.En;
        var buttons = new List<DiscordButton>();
        if (page.HasPrevious)
            buttons.Add(new DiscordButton { Style = DiscordButton.Secondary, Label = en ? "‹ Prev" : "‹ 上一页", CustomId = PageId(page.Number - 1, query) });
        buttons.Add(new DiscordButton
        {
            Style = DiscordButton.Secondary, Label = $"{page.Number}/{page.Count}", CustomId = "pgx|" + page.Number.ToString(CultureInfo.InvariantCulture), Disabled = true,
        });
        if (page.HasNext)
            buttons.Add(new DiscordButton { Style = DiscordButton.Primary, Label = en ? "Next ›" : "下一页 ›", CustomId = PageId(page.Number + 1, query) });
        return new DiscordActionRow(buttons);
    }

    /// <summary>The custom_id of a page button; the query is left out ("#") when it would pass 100 characters.</summary>
    public static string PageId(int page, string query)
    {
        var head = PagePrefix + page.ToString(CultureInfo.InvariantCulture) + "|";
        return head.Length + query.Length <= MaxCustomId && query.Length > 0 && query != "#" ? head + query : head + "#";
    }

    /// <summary>Reads a page button's custom_id; <paramref name="query"/> is null when it must come from the message.</summary>
    public static bool TryReadPageId(string? customId, out int page, out string? query)
    {
        page = 0;
        query = null;
        if (customId is null || customId.Length > MaxCustomId || !customId.StartsWith(PagePrefix, StringComparison.Ordinal))
            return false;
        var bar = customId.IndexOf('|', PagePrefix.Length);
        if (bar < 0 || !int.TryParse(customId.AsSpan(PagePrefix.Length, bar - PagePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out page)
            || page is < 1 or > 10_000)
            return false;
        var rest = customId[(bar + 1)..];
        query = rest == "#" ? null : rest;
        return rest.Length > 0;
    }

    /// <summary>The query of a search reply, read back from its embed title ("Search: …" / "搜索:…").</summary>
    public static string? QueryFromTitle(string? embedTitle)
    {
        if (embedTitle is null)
            return null;
        var title = Unescape(embedTitle);
        foreach (var lang in new[] { Lang.Zh, Lang.En })
        {
            var prefix = BotTexts.For(lang).ResultsTitle("");
            if (title.StartsWith(prefix, StringComparison.Ordinal) && title.Length > prefix.Length && !title.EndsWith('…'))
                return title[prefix.Length..];
        }
        return null;
    }

    /// <summary>Link buttons (style 5) for the LWN and lore links of the items a message shows.</summary>
    private static IEnumerable<DiscordActionRow> LinkRows(Reply reply, IEnumerable<(int Index, int? Number)> items, int rows)
    {
        var buttons = new List<DiscordButton>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (index, number) in items)
        {
            foreach (var link in reply.Items[index].Links)
            {
                if (buttons.Count == rows * MaxButtonsPerRow)
                    break;
                if (link.Kind is not (LinkKind.Lwn or LinkKind.Lore) || SafeUrl(link.Url) is not { } url || !seen.Add(url))
                    continue;
                var label = number is { } n
                    ? $"{n} · {LinkText(link)}"
                    : $"{LinkText(link)} · {reply.Items[index].Title}";
                buttons.Add(new DiscordButton { Style = DiscordButton.Link, Label = TextUtil.Truncate(label, MaxButtonLabel), Url = url });
            }
        }
        return buttons.Chunk(MaxButtonsPerRow).Select(row => new DiscordActionRow(row));
    }

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
