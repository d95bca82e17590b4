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

    /// <param name="reply">The reply.</param>
    /// <param name="pages">Makes the page buttons' custom_ids; a reply with one page (a digest, an error) needs none.</param>
    public static IReadOnlyList<DiscordMessage> Render(Reply reply, PageCodec? pages = null)
    {
        var drafts = Drafts(reply);
        var color = reply.IsError ? ErrorColor : Color;
        var groups = Pack(drafts);
        var pageRow = PageRow(reply, pages);
        var actionRow = ActionRow(reply, pages);
        var messages = new List<DiscordMessage>();
        for (var m = 0; m < groups.Count; m++)
        {
            var rows = new List<DiscordActionRow>();
            if (m == groups.Count - 1 && actionRow is not null)
                rows.Add(actionRow);
            if (m == groups.Count - 1 && pageRow is not null)
                rows.Add(pageRow);
            rows.AddRange(LinkRows(reply, groups[m].SelectMany(d => d.Items), MaxRows - rows.Count));
            messages.Add(new DiscordMessage
            {
                Embeds = [.. groups[m].Select(d => new DiscordEmbed
                {
                    Title = d.Title,
                    // An embed's title has one url: the entry's page when the embed shows exactly one entry (fields cannot link).
                    Url = d.Title is not null && d.Items.Count == 1 && SafeUrl(reply.Items[d.Items[0].Index].Url ?? "") is { } page ? page : null,
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
            var chunks = DiscordMarkdown.SplitEscaped(string.Join("\n\n", paragraphs), MaxDescription);
            current = new Draft { Title = string.IsNullOrWhiteSpace(title) ? null : DiscordMarkdown.Fit(title, MaxTitle), Description = chunks.Count > 0 ? chunks[0] : null };
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
                    Add(ItemField(reply.Items[i], null, reply.Lang), i, null);
            }
        }
        else
        {
            var number = reply.FirstNumber;
            for (var i = 0; i < reply.Items.Count; i++, number++)
                Add(ItemField(reply.Items[i], number, reply.Lang), i, number);
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

    private static DiscordEmbedField ItemField(ReplyItem item, int? number, Lang lang)
    {
        // The number is ours and stays as it is; only the title is report text to escape.
        var prefix = number is { } n ? n.ToString(CultureInfo.InvariantCulture) + ". " : "• ";
        var name = prefix + DiscordMarkdown.Fit(item.Title, MaxFieldName - prefix.Length);

        var links = new StringBuilder();
        // A field's name cannot link, so the entry's archive page comes first among its links.
        if (item.Url is { } pageUrl && SafeUrl(pageUrl) is { } page)
            links.Append('[').Append(lang == Lang.En ? "page" : "网页").Append("](").Append(page.Replace("(", "%28", StringComparison.Ordinal).Replace(")", "%29", StringComparison.Ordinal)).Append(')');
        foreach (var link in item.Links)
        {
            if (SafeUrl(link.Url) is not { } url)
                continue;
            var markdown = $"[{DiscordMarkdown.Escape(LinkText.For(link))}]({url.Replace("(", "%28", StringComparison.Ordinal).Replace(")", "%29", StringComparison.Ordinal)})";
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
            Take("*" + DiscordMarkdown.Fit(meta, Room() - 2) + "*");
        if (item.Summary is { Length: > 0 } summary && Room() > 8)
            Take(DiscordMarkdown.Fit(summary, Room()));
        if (item.Snippet is { IsEmpty: false } snippet && snippet.PlainText.Trim() != item.Summary?.Trim())
        {
            var sb = new StringBuilder();
            foreach (var part in snippet.Parts)
            {
                var escaped = DiscordMarkdown.Escape(part.Text);
                sb.Append(part.Highlight && part.Text.Trim().Length > 0 ? "**" + escaped + "**" : escaped);
            }
            Take(sb.ToString()); // a supplement: left out when it does not fit whole
        }
        if (links.Length > 0)
            lines.Add(links.ToString());
        var value = string.Join("\n", lines);
        return new DiscordEmbedField(name, value.Length == 0 ? ZeroWidthSpace : value);
    }

    private static string? SafeUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsoluteUri.Length <= MaxButtonUrl
            ? uri.AbsoluteUri
            : null;

    /// <summary>The page buttons (<see cref="PageButtons"/>): "n/N" shown disabled; null when there is one page.</summary>
    private static DiscordActionRow? PageRow(Reply reply, PageCodec? pages)
    {
        if (pages is null)
            return null;
        var buttons = PageButtons.For(reply, pages, TokenLimit.Discord);
        if (buttons.Count == 0)
            return null;
        return new DiscordActionRow([.. buttons.Select(b => new DiscordButton
        {
            Style = b.IsCurrent || b.Token.Length == 0 ? DiscordButton.Secondary : DiscordButton.Primary,
            Label = b.Label,
            CustomId = b.Token,
            Disabled = b.IsCurrent ? true : null,
        })]);
    }

    /// <summary>The action buttons ("Follow 1" …, <see cref="Reply.Actions"/>), one row of at most five.</summary>
    private static DiscordActionRow? ActionRow(Reply reply, PageCodec? pages)
    {
        if (pages is null || reply.Actions.Count == 0)
            return null;
        return new DiscordActionRow([.. PageButtons.Actions(reply, pages, TokenLimit.Discord).Take(MaxButtonsPerRow).Select(b => new DiscordButton
        {
            Style = DiscordButton.Secondary,
            Label = TextUtil.Truncate(b.Label, MaxButtonLabel),
            CustomId = b.Token,
        })]);
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
                    ? $"{n} · {LinkText.For(link)}"
                    : $"{LinkText.For(link)} · {reply.Items[index].Title}";
                buttons.Add(new DiscordButton { Style = DiscordButton.Link, Label = TextUtil.Truncate(label, MaxButtonLabel), Url = url });
            }
        }
        return buttons.Chunk(MaxButtonsPerRow).Select(row => new DiscordActionRow(row));
    }

}
