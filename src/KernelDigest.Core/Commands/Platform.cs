namespace KernelDigest.Core.Commands;

/// <summary>
/// A chat platform, by the key stored with subscriptions ("telegram", "discord"). A type rather than string literals,
/// so a misspelt platform is a compile error and every place that names one can be found.
/// </summary>
public readonly record struct Platform(string Key)
{
    public static readonly Platform Telegram = new("telegram");
    public static readonly Platform Discord = new("discord");

    /// <summary>The terminal: the console chat and the CLI's <c>ask</c>. Nothing is kept for it.</summary>
    public static readonly Platform Console = new("console");

    public override string ToString() => Key;
}

/// <summary>What kind of conversation a message came from; it decides who may change the chat's state.</summary>
public enum ChatKind
{
    /// <summary>One person and the bot: that person decides.</summary>
    Private,

    /// <summary>A group, supergroup or server channel: administrators decide.</summary>
    Group,

    /// <summary>A broadcast channel: only its administrators can post, so a post is an administrator's.</summary>
    Channel,
}

/// <summary>
/// Where a reply or a digest goes: a platform's chat, and within it a topic or thread when the platform has them
/// (a Telegram forum topic's message_thread_id). Discord threads are channels of their own, so there the thread is
/// the chat id and <see cref="ThreadId"/> stays null.
/// </summary>
public sealed record ChatAddress(Platform Platform, string ChatId, string? ThreadId = null)
{
    public override string ToString() => ThreadId is null ? $"{Platform}:{ChatId}" : $"{Platform}:{ChatId}/{ThreadId}";
}
