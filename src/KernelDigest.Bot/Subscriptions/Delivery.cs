namespace KernelDigest.Bot.Subscriptions;

/// <summary>
/// One message owed to one chat: the outbox row. A month's digest for a subscription (unique per subscription and
/// month), or a notice for a follow (unique by its dedupe key, its facts in <see cref="Payload"/>).
/// </summary>
public sealed record Delivery
{
    public long Id { get; init; }
    public string Kind { get; init; } = DeliveryKind.Digest;
    public long? SubscriptionId { get; init; }

    /// <summary>The digest's month; empty for a notice.</summary>
    public string Month { get; init; } = "";

    public long? FollowId { get; init; }
    public long? WatchId { get; init; }

    /// <summary>A notice's facts as JSON (<c>FollowNotice</c>), rendered in the chat's language when sent.</summary>
    public string? Payload { get; init; }
    public string Status { get; init; } = DeliveryStatus.Pending;
    public int PartsSent { get; init; }
    public int Attempts { get; init; }
    public string? LastError { get; init; }
}

public static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Failed = "failed";

    /// <summary>The subscription's filter left nothing of that month: nothing was sent, and nothing is owed.</summary>
    public const string Skipped = "skipped";
}

public static class DeliveryKind
{
    public const string Digest = "digest";
    public const string Notice = "notice";
}

/// <summary>A delivery claimed for sending, with where it goes and in which language.</summary>
/// <param name="Delivery">The outbox row.</param>
/// <param name="Subscription">The subscription a digest is for; for a notice, the follow's or watch's chat in the same shape.</param>
public sealed record ClaimedDelivery(Delivery Delivery, Subscription Subscription);

/// <summary>Counts of a month's deliveries by status.</summary>
public sealed record DeliveryCounts(int Pending, int Sending, int Sent, int Failed, int Skipped);
