using KernelDigest.Core.Commands;

namespace KernelDigest.Bot.Follows;

/// <summary>One chat (or forum topic) watching one lore query.</summary>
public sealed record WatchRow
{
    public long Id { get; init; }
    public required Platform Platform { get; init; }
    public required string ChatId { get; init; }
    public string ThreadId { get; init; } = "";
    public required string Lang { get; init; }
    public required string Inbox { get; init; }
    public required string Query { get; init; }
    public string Status { get; init; } = FollowStatus.Active;
    public string CreatedAt { get; init; } = "";
}

/// <summary>A query the poller reads: once however many chats watch it.</summary>
public sealed record WatchedQuery(string Inbox, string Query);

/// <summary>A root message a watched query matched: a cover letter or a patch standing alone.</summary>
public sealed record WatchMatch(string MessageId, NoticeSeries Series);
