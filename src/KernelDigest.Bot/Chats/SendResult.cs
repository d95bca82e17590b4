namespace KernelDigest.Bot.Chats;

/// <summary>Why a chat (or a topic in it) can no longer receive the bot's messages, or no longer under that id.</summary>
public enum GoneReason
{
    /// <summary>The user blocked the bot (Telegram 403 "blocked by the user").</summary>
    Blocked,

    /// <summary>The bot was removed from the group or channel, or lost access to it (Telegram 403, Discord 50001).</summary>
    Kicked,

    /// <summary>The chat does not exist or the bot is not in it (Telegram 400 "chat not found", Discord 10003).</summary>
    UnknownChat,

    /// <summary>The bot may not post there (Discord 50013, Telegram "not enough rights").</summary>
    MissingPermissions,

    /// <summary>The group became a supergroup with a new id (Telegram migrate_to_chat_id); the chat lives on there.</summary>
    Migrated,

    /// <summary>The forum topic was deleted or closed (Telegram "message thread not found"); the rest of the chat is fine.</summary>
    TopicGone,
}

/// <summary>
/// How sending to a chat ended, after the platform client's own retries: the one way a platform tells the rest of the
/// app about a chat. The subscription layer reacts to <see cref="Gone"/> in one place (<c>ChatStates</c>).
/// </summary>
public abstract record SendResult
{
    private SendResult()
    {
    }

    public static SendResult Ok { get; } = new Sent();

    /// <summary>The platform confirmed the message.</summary>
    public sealed record Sent : SendResult;

    /// <summary>Worth another try: network, 5xx, a rate limit beyond patience; <see cref="NotBefore"/> when the platform said.</summary>
    public sealed record RetryLater(string Reason, DateTimeOffset? NotBefore = null) : SendResult;

    /// <summary>The chat cannot receive messages under this id, and why; <see cref="NewChatId"/> for a migrated chat.</summary>
    public sealed record Gone(GoneReason Reason, string Description, string? NewChatId = null) : SendResult;
}

/// <summary>How sending a digest ended, and how many of its parts the platform confirmed (so a retry resumes after them).</summary>
public sealed record DigestSendResult(SendResult Result, int PartsSent);
