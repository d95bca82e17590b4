using KernelDigest.Core.Commands;

namespace KernelDigest.Bot.Follows;

/// <summary>
/// A patch series the bot keeps track of, once however many chats follow it: what lore last showed of it. The poller
/// updates it; the follows point at it.
/// </summary>
public sealed record TrackedSeries
{
    public long Id { get; init; }
    public required string Inbox { get; init; }

    /// <summary>The series builder's key: "cid:…" when the series carries a change-id, else "subj:…|author".</summary>
    public required string SeriesKey { get; init; }

    /// <summary>"subj:normalised subject|author": how a new version without a change-id is recognised.</summary>
    public required string SubjectKey { get; init; }

    public required string Title { get; init; }
    public required string AuthorName { get; init; }
    public required string AuthorEmail { get; init; }
    public int LatestRevision { get; init; }
    public required string LatestLabel { get; init; }
    public required string LatestMessageId { get; init; }
    public required string LatestUrl { get; init; }
    public required string LatestAt { get; init; }
    public int Patches { get; init; }
    public string? AppliedDetail { get; init; }
    public string? AppliedUrl { get; init; }
    public string? AppliedAt { get; init; }
    public string LastActivity { get; init; } = "";
}

/// <summary>One chat (or forum topic) following one series, with the series as the bot knows it.</summary>
public sealed record FollowRow
{
    public long Id { get; init; }
    public required Platform Platform { get; init; }
    public required string ChatId { get; init; }
    public string ThreadId { get; init; } = "";
    public required string Lang { get; init; }
    public long SeriesId { get; init; }
    public string Status { get; init; } = FollowStatus.Active;
    public string CreatedAt { get; init; } = "";

    public string Title { get; init; } = "";
    public string Inbox { get; init; } = "";
    public string LatestLabel { get; init; } = "";
    public string LatestUrl { get; init; } = "";
    public string LatestMessageId { get; init; } = "";
    public string? AppliedAt { get; init; }
    public string LastActivity { get; init; } = "";
}

public static class FollowStatus
{
    public const string Active = "active";
    public const string Paused = "paused";

    /// <summary>/unfollow: kept (its sent notices point at it), never notified again until followed anew.</summary>
    public const string Removed = "removed";
}
