namespace KernelDigest.Bot.Chats;

/// <summary>Why a chat can no longer (or no longer under that id) receive the bot's messages.</summary>
public enum ChatProblemKind
{
    /// <summary>The user blocked the bot, or the bot was kicked/removed (Telegram 403, Discord 50001).</summary>
    Blocked,

    /// <summary>The chat does not exist or the bot is not in it (Telegram 400 chat not found, Discord 10003).</summary>
    NotFound,

    /// <summary>The bot lacks permission to post there (Discord 50013).</summary>
    MissingPermissions,

    /// <summary>The group became a supergroup with a new id (Telegram migrate_to_chat_id).</summary>
    Migrated,
}

/// <summary>A platform's report that a chat has a lasting delivery problem.</summary>
public sealed record ChatProblem(string Platform, string ChatId, ChatProblemKind Kind, string Description, string? NewChatId = null);

/// <summary>
/// Where platforms report chats that cannot receive messages, so the subscription layer can pause or move them.
/// Until something listens, the report is logged.
/// </summary>
public sealed partial class ChatFeedback(ILogger<ChatFeedback> logger)
{
    /// <summary>Raised for every problem; handlers must not throw.</summary>
    public event Action<ChatProblem>? ProblemReported;

    public void Report(ChatProblem problem)
    {
        LogProblem(problem.Platform, problem.ChatId, problem.Kind, problem.Description, problem.NewChatId);
        ProblemReported?.Invoke(problem);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Platform} chat {ChatId}: {Kind} ({Description}){NewChatId}")]
    private partial void LogProblem(string platform, string chatId, ChatProblemKind kind, string description, string? newChatId);
}
