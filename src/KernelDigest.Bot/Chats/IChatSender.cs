using KernelDigest.Core.Commands;

namespace KernelDigest.Bot.Chats;

/// <summary>How sending a digest to a chat ended.</summary>
public enum DigestSendStatus
{
    Sent,

    /// <summary>Worth another try later (network, 5xx, rate limit beyond patience).</summary>
    Transient,

    /// <summary>The chat cannot receive messages: pause its subscription with <see cref="DigestSendResult.Reason"/>.</summary>
    ChatGone,
}

public sealed record DigestSendResult(DigestSendStatus Status, int PartsSent, string? Reason = null);

/// <summary>
/// The one seam between the digest delivery core and a chat platform: send a rendered digest to a chat, resuming after
/// the parts already confirmed. Telegram and Discord each implement it.
/// </summary>
public interface IChatSender
{
    /// <summary>"telegram" or "discord": the platform key stored with subscriptions.</summary>
    string Platform { get; }

    /// <param name="chatId">The platform's chat or channel id.</param>
    /// <param name="digest">The digest to send, already filtered and in the subscription's language.</param>
    /// <param name="skipParts">Parts already confirmed by an earlier attempt; they are not sent again.</param>
    /// <param name="partSent">Called after each part is confirmed, with the count so far, so progress survives a crash.</param>
    /// <param name="ct">Cancellation.</param>
    Task<DigestSendResult> SendDigestAsync(string chatId, Reply digest, int skipParts, Func<int, Task> partSent, CancellationToken ct);
}
