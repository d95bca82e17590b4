using KernelDigest.Core.Commands;

namespace KernelDigest.Bot.Chats;

/// <summary>
/// The one seam between digest delivery and a chat platform: send a digest to a chat (or a topic in it), resuming
/// after the parts already confirmed. Telegram and Discord each implement it.
/// </summary>
public interface IChatSender
{
    /// <summary>The platform stored with subscriptions that this sender serves.</summary>
    Platform Platform { get; }

    /// <param name="chat">The chat, and the topic within it when the subscription is for one.</param>
    /// <param name="digest">The digest to send, already filtered and in the subscription's language.</param>
    /// <param name="skipParts">Parts already confirmed by an earlier attempt; they are not sent again.</param>
    /// <param name="partSent">Called after each part is confirmed, with the count so far, so progress survives a crash.</param>
    /// <param name="ct">Cancellation.</param>
    Task<DigestSendResult> SendDigestAsync(ChatAddress chat, Reply digest, int skipParts, Func<int, Task> partSent, CancellationToken ct);
}
