namespace KernelDigest.Bot.Subscriptions;

/// <summary>One digest owed to one subscription: the outbox row, unique per subscription and month.</summary>
public sealed record Delivery
{
    public long Id { get; init; }
    public long SubscriptionId { get; init; }
    public required string Month { get; init; }
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

/// <summary>A delivery claimed for sending, with its subscription.</summary>
public sealed record ClaimedDelivery(Delivery Delivery, Subscription Subscription);

/// <summary>Counts of a month's deliveries by status.</summary>
public sealed record DeliveryCounts(int Pending, int Sending, int Sent, int Failed, int Skipped);
