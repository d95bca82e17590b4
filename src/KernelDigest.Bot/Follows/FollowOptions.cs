using System.ComponentModel.DataAnnotations;

namespace KernelDigest.Bot.Follows;

/// <summary>Limits and lookups of /follow (the poll interval is <c>Lore:PollInterval</c>, beside the other lore settings).</summary>
public sealed class FollowOptions
{
    public const string SectionName = "Follows";

    /// <summary>Series one chat (or forum topic) may follow at once (env <c>Follows__MaxPerChat</c>).</summary>
    [Range(1, 10_000)]
    public int MaxPerChat { get; set; } = 50;

    /// <summary>
    /// Where a bare Message-ID is looked up, in order, and where /follow's words and /watch's queries search (the
    /// first) (env <c>Follows__Inboxes__0</c>…); none set means lore's <c>all</c>, which finds any list's message. A
    /// link names its own inbox and is polled there, which is far cheaper than polling <c>all</c>.
    /// </summary>
    /// <remarks>Empty by default: the configuration binder adds to an array's defaults rather than replacing them.</remarks>
    public string[] Inboxes { get; set; } = [];

    /// <summary><see cref="Inboxes"/>, or lore's <c>all</c> when none are set.</summary>
    public IReadOnlyList<string> SearchInboxes => Inboxes.Length > 0 ? Inboxes : ["all"];

    /// <summary>How far before its last position the poller re-reads an inbox: mail arrives late and clocks are wrong.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "30.00:00:00")]
    public TimeSpan Overlap { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Lore queries one chat (or forum topic) may watch at once (env <c>Follows__MaxWatchesPerChat</c>).</summary>
    [Range(1, 1_000)]
    public int MaxWatchesPerChat { get; set; } = 10;

    /// <summary>
    /// The most messages a day a watched query may match, judged over the week before /watch: a broader query would
    /// flood the chat and cost lore a page per poll, so it is refused with the figure (env <c>Follows__MaxWatchMatchesPerDay</c>).
    /// </summary>
    [Range(1, 10_000)]
    public int MaxWatchMatchesPerDay { get; set; } = 50;
}
