namespace KernelDigest.Core.Commands;

/// <summary>
/// Every command the bot has, in one list: the dispatcher, /help, Telegram's command menus and Discord's registered
/// commands are all derived from it, so a command cannot exist on one platform and be missing on another.
/// </summary>
public static class CommandTable
{
    /// <summary>Discord's limit for a slash command's description.</summary>
    public const int MaxSummaryLength = 100;

    /// <summary>The longest /patch query an option takes: the same as typed (a page button keeps a long one server-side).</summary>
    public const int MaxQueryOption = Search.PatchQuery.MaxLength;

    private static readonly CommandOption Month = new()
    {
        Name = "month", NameZh = "月份", Description = "Month as YYYY-MM (default: the latest)", DescriptionZh = "月份,格式 YYYY-MM(默认最新一期)",
        MaxLength = 16, Suggest = OptionSuggest.Month,
    };

    public static IReadOnlyList<CommandSpec> All { get; } =
    [
        new()
        {
            Name = "patch", NameZh = "补丁", Aliases = ["search", "p", "s"], Usage = "<keywords>", UsageZh = "<关键词>",
            Help = "search patches in every report, e.g. /patch TDP MMU, /patch bus lock subsystem:kvm month:2020-09",
            HelpZh = "搜索所有月报中的补丁,如 /patch TDP MMU、/patch 总线锁 subsystem:kvm month:2020-09",
            Summary = "Search patches in every monthly report", SummaryZh = "搜索所有月报中的补丁",
            Options =
            [
                new()
                {
                    Name = "query", NameZh = "关键词", Description = "Keywords, e.g. TDP MMU; filters: subsystem:kvm month:2020-09",
                    DescriptionZh = "关键词,如 TDP MMU;可加 subsystem:kvm month:2020-09", MaxLength = MaxQueryOption, Required = true,
                },
            ],
        },
        new()
        {
            Name = "subsystem", NameZh = "子系统", Aliases = ["sub", "subsystems"], Usage = "[name] [YYYY-MM]", UsageZh = "[名称] [YYYY-MM]",
            Help = "a subsystem summary; without a name, the list of subsystems", HelpZh = "子系统摘要;不带名称时列出所有子系统",
            Summary = "A subsystem's summary for a month; without a name, the list of subsystems", SummaryZh = "子系统摘要;不带名称时列出所有子系统",
            Options =
            [
                new() { Name = "name", NameZh = "名称", Description = "Subsystem, e.g. kvm", DescriptionZh = "子系统,如 kvm", MaxLength = 64, Suggest = OptionSuggest.Subsystem },
                Month,
            ],
        },
        new()
        {
            Name = "month", NameZh = "月报", Aliases = ["m"], Usage = "[YYYY-MM]", UsageZh = "[YYYY-MM]",
            Help = "a month's digest, the latest by default", HelpZh = "某月月报摘要,默认最新一期",
            Summary = "A month's digest, the latest by default", SummaryZh = "某月月报摘要,默认最新一期",
            Options = [Month],
        },
        new()
        {
            Name = "latest", NameZh = "最新", Help = "the latest report", HelpZh = "最新一期月报",
            Summary = "The latest monthly report", SummaryZh = "最新一期月报",
        },
        new()
        {
            Name = "help", NameZh = "帮助", Aliases = ["start"], Help = "this help", HelpZh = "显示本帮助",
            Summary = "How to use this bot", SummaryZh = "显示帮助",
        },
        new()
        {
            Name = "about", NameZh = "关于", Help = "about this bot", HelpZh = "关于本机器人",
            Summary = "About this bot and the reports it knows", SummaryZh = "关于本机器人",
        },
        new()
        {
            Name = "subscribe", NameZh = "订阅", Usage = "[subsystems…]", UsageZh = "[子系统…]",
            Help = "get every month's digest here (in a forum topic: in that topic), optionally for some subsystems only (administrators)",
            HelpZh = "订阅每月摘要(在论坛话题中发送则推送到该话题),可只订阅部分子系统(管理员)",
            Summary = "Post the monthly digest in this channel or thread (admins)", SummaryZh = "在本频道或子区订阅月报推送(管理员)",
            Options =
            [
                new()
                {
                    Name = "subsystems", NameZh = "子系统", Description = "Only these subsystems, e.g. kvm fs (default: all)",
                    DescriptionZh = "只推送这些子系统,如 kvm fs(默认全部)", MaxLength = 200,
                },
            ],
            Access = CommandAccess.ChatAdmins, UsesChatState = true, DiscordServerOnly = true,
        },
        new()
        {
            Name = "unsubscribe", NameZh = "退订", Help = "stop the digest here (administrators)", HelpZh = "取消订阅(管理员)",
            Summary = "Stop the monthly digest in this channel or thread (admins)", SummaryZh = "取消本频道或子区的月报推送(管理员)",
            Access = CommandAccess.ChatAdmins, UsesChatState = true, DiscordServerOnly = true,
        },
        new()
        {
            Name = "subscription", NameZh = "订阅状态", Help = "this chat's subscription", HelpZh = "查看本聊天的订阅",
            Summary = "This channel's digest subscription", SummaryZh = "本频道的月报订阅状态",
            UsesChatState = true, DiscordServerOnly = true,
        },
        new()
        {
            Name = "follow", NameZh = "关注", Usage = "<lore link | Message-ID | words>", UsageZh = "<lore 链接 | Message-ID | 关键词>",
            Help = "be told here when a patch series gets a new version or is applied, e.g. /follow https://lore.kernel.org/kvm/<message-id>/ or /follow TDP MMU (administrators)",
            HelpZh = "关注补丁系列:有新版本或被合入时在此通知,如 /follow https://lore.kernel.org/kvm/<message-id>/ 或 /follow TDP MMU(管理员)",
            Summary = "Be told when a patch series gets a new version or is applied (admins)", SummaryZh = "关注补丁系列的新版本与合入(管理员)",
            Options =
            [
                new()
                {
                    Name = "series", NameZh = "系列", Description = "A lore link or Message-ID of any message of the series, or words of its title",
                    DescriptionZh = "该系列任一邮件的 lore 链接或 Message-ID,或标题中的词", MaxLength = 300, Required = true,
                },
            ],
            Access = CommandAccess.ChatAdmins, UsesChatState = true, DiscordServerOnly = true,
        },
        new()
        {
            Name = "unfollow", NameZh = "取消关注", Usage = "<n | lore link>", UsageZh = "<编号 | lore 链接>",
            Help = "stop following a series: its number in /following or its link (administrators)", HelpZh = "取消关注:/following 中的编号或 lore 链接(管理员)",
            Summary = "Stop following a patch series (admins)", SummaryZh = "取消关注补丁系列(管理员)",
            Options =
            [
                new()
                {
                    Name = "series", NameZh = "系列", Description = "The number /following shows, or the series' lore link",
                    DescriptionZh = "/following 中的编号或该系列的 lore 链接", MaxLength = 300, Required = true, Suggest = OptionSuggest.Follow,
                },
            ],
            Access = CommandAccess.ChatAdmins, UsesChatState = true, DiscordServerOnly = true,
        },
        new()
        {
            Name = "following", NameZh = "关注列表", Help = "the series this chat follows and their state", HelpZh = "本聊天关注的补丁系列及其状态",
            Summary = "The patch series this channel follows and their state", SummaryZh = "本频道关注的补丁系列及其状态",
            UsesChatState = true, DiscordServerOnly = true,
        },
        new()
        {
            Name = "watch", NameZh = "订阅查询", Usage = "<lore query | words>", UsageZh = "<lore 查询 | 关键词>",
            Help = "be told here of every new patch series a lore search matches, e.g. /watch dfn:arch/x86/kvm/mmu f:seanjc (administrators)",
            HelpZh = "订阅 lore 查询:有匹配的新补丁系列时在此通知,如 /watch dfn:arch/x86/kvm/mmu f:seanjc(管理员)",
            Summary = "Be told of new patch series a lore search matches (admins)", SummaryZh = "订阅 lore 查询的新补丁系列(管理员)",
            Options =
            [
                new()
                {
                    Name = "query", NameZh = "查询", Description = "A public-inbox query (s:, f:, dfn:, …), plain words, or a lore search link",
                    DescriptionZh = "public-inbox 查询(s:、f:、dfn: 等)、关键词或 lore 搜索链接", MaxLength = 300, Required = true,
                },
            ],
            Access = CommandAccess.ChatAdmins, UsesChatState = true, DiscordServerOnly = true,
        },
        new()
        {
            Name = "unwatch", NameZh = "取消订阅查询", Usage = "<n>", UsageZh = "<编号>",
            Help = "stop a watch: its number in /watches (administrators)", HelpZh = "取消订阅查询:/watches 中的编号(管理员)",
            Summary = "Stop watching a lore query (admins)", SummaryZh = "取消订阅 lore 查询(管理员)",
            Options =
            [
                new()
                {
                    Name = "watch", NameZh = "查询", Description = "The number /watches shows", DescriptionZh = "/watches 中的编号",
                    MaxLength = 300, Required = true, Suggest = OptionSuggest.Watch,
                },
            ],
            Access = CommandAccess.ChatAdmins, UsesChatState = true, DiscordServerOnly = true,
        },
        new()
        {
            Name = "watches", NameZh = "查询列表", Help = "the lore queries this chat watches", HelpZh = "本聊天订阅的 lore 查询",
            Summary = "The lore queries this channel watches", SummaryZh = "本频道订阅的 lore 查询",
            UsesChatState = true, DiscordServerOnly = true,
        },
    ];

    private static readonly Dictionary<string, CommandSpec> ByName = All
        .SelectMany(c => c.Aliases.Prepend(c.Name).Select(n => (Name: n, Command: c)))
        .ToDictionary(x => x.Name, x => x.Command, StringComparer.Ordinal);

    /// <summary>The command a name or alias stands for (names are lower case, as <see cref="ParsedCommand"/> gives them).</summary>
    public static CommandSpec? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>
    /// The argument text that structured options stand for: their values in table order, each on one line, so that a
    /// Discord /subsystem with name and month means what "/subsystem kvm 2020-09" means.
    /// </summary>
    public static string ArgumentsFrom(CommandSpec command, IReadOnlyDictionary<string, string> options) =>
        string.Join(' ', command.Options
            .Select(o => options.TryGetValue(o.Name, out var value) ? value.ReplaceLineEndings(" ").Trim() : "")
            .Where(v => v.Length > 0));
}
