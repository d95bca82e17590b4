namespace KernelDigest.Core.Commands;

/// <summary>Who may use a command in a group or channel.</summary>
public enum CommandAccess
{
    Anyone,

    /// <summary>It changes the chat's state: in groups and channels only administrators; in a private chat the user.</summary>
    ChatAdmins,
}

/// <summary>What a platform can suggest while an option is typed (Discord autocomplete).</summary>
public enum OptionSuggest
{
    None,
    Subsystem,
    Month,

    /// <summary>The series this chat follows (Discord /unfollow).</summary>
    Follow,

    /// <summary>The lore queries this chat watches (Discord /unwatch).</summary>
    Watch,
}

/// <summary>
/// One argument of a command. Typed commands take their arguments as text; platforms with structured options
/// (Discord) show each as an option and join the values, in table order, into the same text.
/// </summary>
public sealed record CommandOption
{
    public required string Name { get; init; }
    public required string NameZh { get; init; }
    public required string Description { get; init; }
    public required string DescriptionZh { get; init; }
    public required int MaxLength { get; init; }
    public bool Required { get; init; }
    public OptionSuggest Suggest { get; init; }
}

/// <summary>One command: its names, what help and menus say of it, its options, and who may use it where.</summary>
public sealed record CommandSpec
{
    /// <summary>The name as typed and registered ("patch").</summary>
    public required string Name { get; init; }

    /// <summary>The name Discord shows to zh-CN users.</summary>
    public required string NameZh { get; init; }

    /// <summary>Other names that type the same command ("p", "search"); not shown in menus.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>The argument syntax shown in /help ("&lt;keywords&gt;"), per language; empty for none.</summary>
    public string Usage { get; init; } = "";
    public string UsageZh { get; init; } = "";

    /// <summary>The /help and Telegram menu line, with an example where one helps.</summary>
    public required string Help { get; init; }
    public required string HelpZh { get; init; }

    /// <summary>A description of at most 100 characters (Discord's limit for slash commands).</summary>
    public required string Summary { get; init; }
    public required string SummaryZh { get; init; }

    public IReadOnlyList<CommandOption> Options { get; init; } = [];

    public CommandAccess Access { get; init; }

    /// <summary>
    /// It reads or writes what the bot keeps for a chat (the store): not available in the console, and answered off a
    /// webhook's request because it needs I/O first.
    /// </summary>
    public bool UsesChatState { get; init; }

    /// <summary>Only in a server channel on Discord: a DM has no channel to keep state for.</summary>
    public bool DiscordServerOnly { get; init; }

    public string HelpIn(Lang lang) => lang == Lang.En ? Help : HelpZh;
    public string UsageIn(Lang lang) => lang == Lang.En ? Usage : UsageZh;
}
