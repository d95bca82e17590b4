using KernelDigest.Core.Commands;

namespace KernelDigest.Bot.Subscriptions;

/// <summary>A chat or channel, or a topic in one, that receives every month's digest.</summary>
public sealed record Subscription
{
    public long Id { get; init; }
    public required Platform Platform { get; init; }
    public required string ChatId { get; init; }

    /// <summary>The forum topic the subscription is for; empty for the chat itself.</summary>
    public string ThreadId { get; init; } = "";

    public required string Lang { get; init; }

    /// <summary>Comma-separated subsystem keys; empty means every subsystem.</summary>
    public string Filter { get; init; } = "";

    /// <summary>active, paused or unsubscribed.</summary>
    public string Status { get; init; } = SubscriptionStatus.Active;
    public string? PausedReason { get; init; }
    public string? CreatedBy { get; init; }
    public string CreatedAt { get; init; } = "";
    public string UpdatedAt { get; init; } = "";

    public IReadOnlySet<string> Subsystems => Filter.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);

    /// <summary>Where its digests go.</summary>
    public ChatAddress Address => new(Platform, ChatId, ThreadId.Length == 0 ? null : ThreadId);
}

public static class SubscriptionStatus
{
    public const string Active = "active";
    public const string Paused = "paused";
    public const string Unsubscribed = "unsubscribed";
}
