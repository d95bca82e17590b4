using System.Text;
using KernelDigest.Core.Reports;

namespace KernelDigest.Core.Commands;

/// <summary>Renders a <see cref="Reply"/> as plain text: the console chat, <c>ask</c>, and the "text" of <c>--json</c>.</summary>
public static class PlainText
{
    /// <param name="reply">The reply.</param>
    /// <param name="highlight">Wraps a matched part of a snippet (« » by default; the console may use bold).</param>
    public static string Render(Reply reply, Func<string, string>? highlight = null)
    {
        highlight ??= s => $"«{s}»";
        var texts = BotTexts.For(reply.Lang);
        var sb = new StringBuilder();
        sb.Append(reply.Title).Append('\n');
        foreach (var paragraph in reply.Body)
            sb.Append(paragraph).Append('\n');

        if (reply.Groups.Count > 0)
        {
            foreach (var group in reply.Groups)
            {
                sb.Append('\n').Append("■ ").Append(group.Heading).Append('\n');
                foreach (var intro in group.Intro)
                    sb.Append(intro).Append('\n');
                for (var i = group.FirstItem; i < group.FirstItem + group.ItemCount; i++)
                    AppendItem(sb, reply.Items[i], null, highlight);
            }
        }
        else
        {
            if (reply.Items.Count > 0)
                sb.Append('\n');
            var number = reply.FirstNumber;
            foreach (var item in reply.Items)
                AppendItem(sb, item, number++, highlight);
        }
        if (reply.Page is { Count: > 1 } page)
        {
            sb.Append('\n').Append(texts.PageLine(page.Number, page.Count, page.Total));
            if (page.HasNext)
                sb.Append(" · ").Append(texts.MoreHint(page.CommandFor(page.Number + 1)));
            sb.Append('\n');
        }
        return sb.ToString().TrimEnd() + "\n";
    }

    private static void AppendItem(StringBuilder sb, ReplyItem item, int? number, Func<string, string> highlight)
    {
        sb.Append(number is { } n ? $"{n}. " : "• ").Append(item.Title).Append('\n');
        if (item.Meta is not null)
            sb.Append("   ").Append(item.Meta).Append('\n');
        if (item.Summary is not null)
            sb.Append("   ").Append(item.Summary).Append('\n');
        if (item.Snippet is { IsEmpty: false } snippet && snippet.PlainText.Trim() != item.Summary?.Trim())
        {
            sb.Append("   ");
            foreach (var part in snippet.Parts)
                sb.Append(part.Highlight ? highlight(part.Text) : part.Text);
            sb.Append('\n');
        }
        foreach (var link in item.Links)
            sb.Append("   ").Append(LinkLabel(link)).Append(' ').Append(link.Url).Append('\n');
    }

    /// <summary>A short tag for a link: its kind, and its label when the report gave one.</summary>
    public static string LinkLabel(ReportLink link)
    {
        var kind = link.Kind switch
        {
            LinkKind.Lwn => "LWN",
            LinkKind.Lore => "lore",
            LinkKind.Docs => "docs",
            _ => "link",
        };
        return string.IsNullOrEmpty(link.Label) ? $"[{kind}]" : $"[{kind} {link.Label}]";
    }
}
