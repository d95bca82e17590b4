using System.Text.RegularExpressions;

namespace KernelDigest.Core.Lore;

/// <summary>
/// A message on lore named by what a user pastes: a link (<c>https://lore.kernel.org/kvm/&lt;msgid&gt;/</c>, also
/// <c>…/T/</c>, <c>/r/&lt;msgid&gt;</c>, <c>/all/&lt;msgid&gt;/</c>), a bare Message-ID (with or without angle
/// brackets, or <c>id:</c> as b4 writes it), or lore's path form <c>kvm/&lt;msgid&gt;</c> (what the bot's own Follow
/// buttons carry, to stay within a button's 64 bytes).
/// </summary>
/// <param name="Inbox">The inbox the link names; null for a bare Message-ID or <c>/r/</c>.</param>
/// <param name="MessageId">Without angle brackets.</param>
public sealed partial record LoreLink(string? Inbox, string MessageId)
{
    public static LoreLink? Parse(string text)
    {
        text = text.Trim();
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            var segments = uri.AbsolutePath.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
            if (segments.Length < 2)
                return null;
            var id = segments[1].Trim('<', '>');
            if (!id.Contains('@', StringComparison.Ordinal) || !InboxName().IsMatch(segments[0]))
                return null;
            return new LoreLink(segments[0] is "r" ? null : segments[0], id);
        }
        if (text.StartsWith("id:", StringComparison.Ordinal))
            text = text[3..];
        if (text.Length == 0 || text.Any(char.IsWhiteSpace))
            return null;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && InboxName().IsMatch(text[..slash]) && text[(slash + 1)..].Trim('<', '>', '/') is { } rest && rest.Contains('@', StringComparison.Ordinal))
            return new LoreLink(text[..slash], rest);
        text = text.Trim('<', '>');
        return text.Contains('@', StringComparison.Ordinal) ? new LoreLink(null, text) : null;
    }

    /// <summary>The links to lore among a report entry's (or a result's) links that name a message, each with what it names.</summary>
    public static IEnumerable<(Reports.ReportLink Link, LoreLink Lore)> In(IEnumerable<Reports.ReportLink> links)
    {
        foreach (var link in links)
        {
            if (link.Kind == Reports.LinkKind.Lore && Parse(link.Url) is { } lore)
                yield return (link, lore);
        }
    }

    /// <summary>The short form a button carries: "kvm/&lt;msgid&gt;", or the bare id.</summary>
    public string Compact => Inbox is null ? MessageId : Inbox + "/" + MessageId;

    /// <summary>Whether a name can be a public-inbox inbox (<c>[\w-][\w.+-]*</c>).</summary>
    public static bool IsInbox(string name) => InboxName().IsMatch(name);

    /// <summary>public-inbox's inbox names (<c>[\w-][\w.+-]*</c>).</summary>
    [GeneratedRegex(@"^[\w-][\w.+-]*$")]
    private static partial Regex InboxName();
}
