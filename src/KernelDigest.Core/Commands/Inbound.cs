namespace KernelDigest.Core.Commands;

/// <summary>
/// One thing a user asked of the bot, as every platform hands it to the <see cref="Dispatcher"/>: where it came from,
/// who asked and in which language, and either a command already parsed (typed text and Discord's options end up the
/// same) or a page button pressed.
/// </summary>
public sealed record Inbound
{
    public required ChatAddress Chat { get; init; }
    public ChatKind Kind { get; init; } = ChatKind.Private;

    /// <summary>The platform's user id, when there is one (not for channel posts or the console).</summary>
    public string? UserId { get; init; }

    public Lang Lang { get; init; } = Lang.Zh;

    /// <summary>The command and its arguments; null when a page button was pressed.</summary>
    public ParsedCommand? Command { get; init; }

    /// <summary>The token a page button carried (see <see cref="PageCodec"/>); null for commands.</summary>
    public string? PageToken { get; init; }

    /// <summary>
    /// Asks the platform whether this user administers this chat. Only commands that change the chat's state call it,
    /// since on Telegram it is a request (getChatMember).
    /// </summary>
    public Func<CancellationToken, Task<bool>> IsAdmin { get; init; } = static _ => Task.FromResult(false);

    /// <summary>The command's own words for the reply's record ("/patch TDP MMU"), or the page token's.</summary>
    public string Text => Command is { } c ? (c.Arguments.Length > 0 ? $"/{c.Name} {c.Arguments}" : "/" + c.Name) : "page";

    /// <summary>
    /// A typed message as an input, or null when it is a command for another bot ("/patch@otherbot").
    /// </summary>
    public static Inbound? FromText(string text, ChatAddress chat, Lang lang, string? botUsername = null) =>
        ParsedCommand.Parse(text, botUsername) is { } command ? new Inbound { Chat = chat, Lang = lang, Command = command } : null;

    /// <summary>The terminal (console chat, <c>ask</c>): one private chat.</summary>
    public static ChatAddress ConsoleChat { get; } = new(Platform.Console, "console");
}
