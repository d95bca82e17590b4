namespace KernelDigest.Core.Commands;

/// <summary>One button of a paged reply's row, before a platform gives it its own shape.</summary>
/// <param name="Label">What the button says.</param>
/// <param name="Token">What pressing it sends back (see <see cref="PageCodec"/>).</param>
/// <param name="IsCurrent">The "2/5" button that shows where the reader is.</param>
public sealed record PageButton(string Label, string Token, bool IsCurrent);

public static class PageButtons
{
    /// <summary>"‹ Prev", "n/N", "Next ›" for a paged reply, tokens within the platform's limit; empty for one page.</summary>
    public static IReadOnlyList<PageButton> For(Reply reply, PageCodec codec, TokenLimit limit)
    {
        if (reply.Page is not { Count: > 1 } page)
            return [];
        var en = reply.Lang == Lang.En;
        var buttons = new List<PageButton>(3);
        if (page.HasPrevious)
            buttons.Add(new PageButton(en ? "‹ Prev" : "‹ 上一页", codec.Encode(page.Search, page.Number - 1, limit), false));
        buttons.Add(new PageButton($"{page.Number}/{page.Count}", codec.Encode(page.Search, page.Number, limit), true));
        if (page.HasNext)
            buttons.Add(new PageButton(en ? "Next ›" : "下一页 ›", codec.Encode(page.Search, page.Number + 1, limit), false));
        return buttons;
    }

    /// <summary>A reply's action buttons (<see cref="Reply.Actions"/>), tokens within the platform's limit.</summary>
    public static IReadOnlyList<PageButton> Actions(Reply reply, PageCodec codec, TokenLimit limit) =>
        [.. reply.Actions.Select(a => new PageButton(a.Label, codec.EncodeCommand(a.CommandLine, limit), false))];
}
