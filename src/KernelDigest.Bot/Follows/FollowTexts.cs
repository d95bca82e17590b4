using KernelDigest.Core;

namespace KernelDigest.Bot.Follows;

/// <summary>What the follow commands and notices say, in one language.</summary>
public sealed record FollowTexts
{
    public required Func<string, string, string, string> VersionTitle { get; init; }
    public required Func<string, string, string> AppliedTitle { get; init; }
    public required Func<int, string> Patches { get; init; }
    public required Func<string, string> ChangesIn { get; init; }
    public required string AppliedLink { get; init; }
    public required Func<string, string> Following { get; init; }
    public required Func<string, string, string> Latest { get; init; }
    public required string WillReport { get; init; }
    public required Func<string, string> AlreadyApplied { get; init; }
    public required string AlreadyFollowing { get; init; }
    public required string Usage { get; init; }
    public required Func<string, string> NotFound { get; init; }
    public required Func<string, string> LoreFailed { get; init; }
    public required Func<int, string> Limit { get; init; }
    public required string ListTitle { get; init; }
    public required string NoFollows { get; init; }
    public required Func<string, string, string, string> ListLine { get; init; }
    public required string Applied { get; init; }
    public required string NotApplied { get; init; }
    public required Func<string, string> Unfollowed { get; init; }
    public required string UnfollowUsage { get; init; }
    public required Func<string, string> NoSuchFollow { get; init; }
    public required string NotAdmin { get; init; }
    public required Func<string, int, string> WatchTitle { get; init; }
    public required Func<string, string, string> InReport { get; init; }
    public required Func<string, string> Candidates { get; init; }
    public required string PickOne { get; init; }
    public required Func<string, string> NothingFor { get; init; }
    public required Func<string, string, string> Watching { get; init; }
    public required Func<double, string> WatchRate { get; init; }
    public required Func<string, string> WatchEvery { get; init; }
    public required string AlreadyWatching { get; init; }
    public required string WatchUsage { get; init; }
    public required Func<string, string> WatchRefused { get; init; }
    public required Func<int, string> WatchTooBroad { get; init; }
    public required string WatchUnbalanced { get; init; }
    public required Func<int, string> WatchLimit { get; init; }
    public required string WatchesTitle { get; init; }
    public required string NoWatches { get; init; }
    public required Func<string, string, string> WatchLine { get; init; }
    public required Func<string, string> Unwatched { get; init; }
    public required string UnwatchUsage { get; init; }
    public required Func<string, string> NoSuchWatch { get; init; }
    public required string NotAdminWatch { get; init; }
    public required string Paused { get; init; }

    public static FollowTexts For(Lang lang) => lang == Lang.En ? En : Zh;

    public static FollowTexts En { get; } = new()
    {
        VersionTitle = (label, title, author) => $"{label} of «{title}» by {author}",
        AppliedTitle = (title, author) => $"Applied: «{title}» by {author}",
        Patches = n => n == 1 ? "1 patch" : $"{n} patches",
        ChangesIn = label => $"Changes in {label}:",
        AppliedLink = "the message that says so",
        Following = title => $"Following «{title}»",
        Latest = (label, date) => $"Latest version: {label}, {date}",
        WillReport = "This chat will be told when a new version is posted and when it is applied.",
        AlreadyApplied = detail => $"Already applied: {detail}",
        AlreadyFollowing = "This chat already follows it.",
        Usage = "Send /follow with a lore link or a Message-ID of any message of the series, or words of its title, e.g. /follow https://lore.kernel.org/kvm/20201014182700.2888246-1-bgardon@google.com/ or /follow TDP MMU",
        NotFound = what => $"lore has no patch series for {what}.",
        LoreFailed = why => $"lore could not be asked just now ({why}); please try again later.",
        Limit = n => $"This chat follows {n} series, the most it may; /unfollow one first.",
        ListTitle = "Series this chat follows",
        NoFollows = "This chat follows no series. Send /follow with a lore link to follow one.",
        ListLine = (label, state, activity) => $"{label} · {state} · last activity {activity}",
        Applied = "applied",
        NotApplied = "not applied yet",
        Unfollowed = title => $"No longer following «{title}».",
        UnfollowUsage = "Send /unfollow with the number /following shows, or the series' lore link.",
        NoSuchFollow = what => $"This chat does not follow {what}; /following lists what it does.",
        NotAdmin = "Only this chat's administrators can change what it follows.",
        WatchTitle = (query, n) => n == 1 ? $"A new patch series matches «{query}»" : $"{n} new patch series match «{query}»",
        InReport = (title, month) => $"«{title}» is in the {month} report",
        Candidates = words => $"Several patch series fit «{words}»",
        PickOne = "Press a number to follow that series (administrators).",
        NothingFor = words => $"No patch series fits «{words}» in the reports or on lore; send its lore link instead.",
        Watching = (query, inbox) => $"Watching «{query}» on lore ({inbox})",
        WatchRate = perDay => $"It matched about {perDay:0.#} messages a day over the last week.",
        WatchEvery = interval => $"New patch series it matches are posted here together, once per poll (every {interval}).",
        AlreadyWatching = "This chat already watches this query.",
        WatchUsage = "Send /watch with a public-inbox query, e.g. /watch dfn:arch/x86/kvm/mmu f:seanjc, or /watch s:\"io_uring\", or a lore search link.",
        WatchRefused = why => $"lore refuses this query: {why}",
        WatchTooBroad = max => $"This query matched more than {max} {(max == 1 ? "message" : "messages")} a day over the last week, the most a watch may. Narrow it (add f:, s: or dfn:).",
        WatchUnbalanced = "This query has a quote or a bracket that is not closed.",
        WatchLimit = n => $"This chat watches {n} queries, the most it may; /unwatch one first.",
        WatchesTitle = "Lore queries this chat watches",
        NoWatches = "This chat watches no lore query. Send /watch with a query to start.",
        WatchLine = (inbox, since) => $"{inbox} · since {since}",
        Unwatched = query => $"No longer watching «{query}».",
        UnwatchUsage = "Send /unwatch with the number /watches shows.",
        NoSuchWatch = what => $"This chat has no watch {what}; /watches lists them.",
        NotAdminWatch = "Only this chat's administrators can change what it watches.",
        Paused = "paused",
    };

    public static FollowTexts Zh { get; } = new()
    {
        VersionTitle = (label, title, author) => $"《{title}》({author})发布了 {label}",
        AppliedTitle = (title, author) => $"已合入:《{title}》({author})",
        Patches = n => $"共 {n} 个补丁",
        ChangesIn = label => $"{label} 的改动:",
        AppliedLink = "合入消息",
        Following = title => $"已关注《{title}》",
        Latest = (label, date) => $"最新版本:{label},{date}",
        WillReport = "有新版本发布或被合入时,会在本聊天通知。",
        AlreadyApplied = detail => $"已被合入:{detail}",
        AlreadyFollowing = "本聊天已经关注了它。",
        Usage = "请发送 /follow 加上该系列任一邮件的 lore 链接或 Message-ID,或标题中的词,如 /follow https://lore.kernel.org/kvm/20201014182700.2888246-1-bgardon@google.com/ 或 /follow TDP MMU",
        NotFound = what => $"lore 上找不到 {what} 对应的补丁系列。",
        LoreFailed = why => $"暂时无法访问 lore({why}),请稍后再试。",
        Limit = n => $"本聊天已关注 {n} 个系列,已达上限;请先 /unfollow 一个。",
        ListTitle = "本聊天关注的补丁系列",
        NoFollows = "本聊天没有关注任何补丁系列。发送 /follow 加 lore 链接即可关注。",
        ListLine = (label, state, activity) => $"{label} · {state} · 最近动态 {activity}",
        Applied = "已合入",
        NotApplied = "尚未合入",
        Unfollowed = title => $"已取消关注《{title}》。",
        UnfollowUsage = "请发送 /unfollow 加 /following 中的编号,或该系列的 lore 链接。",
        NoSuchFollow = what => $"本聊天没有关注 {what};/following 可查看已关注的系列。",
        NotAdmin = "只有本聊天的管理员可以更改关注。",
        WatchTitle = (query, n) => $"「{query}」有 {n} 个新的补丁系列",
        InReport = (title, month) => $"《{title}》收录于 {month} 月报",
        Candidates = words => $"有多个补丁系列符合「{words}」",
        PickOne = "点击编号即可关注对应系列(管理员)。",
        NothingFor = words => $"月报和 lore 中都没有符合「{words}」的补丁系列;请发送它的 lore 链接。",
        Watching = (query, inbox) => $"已添加查询订阅「{query}」(lore {inbox})",
        WatchRate = perDay => $"过去一周平均每天匹配约 {perDay:0.#} 封邮件。",
        WatchEvery = interval => $"匹配到的新补丁系列会在每次轮询(每 {interval})后合并为一条消息发到这里。",
        AlreadyWatching = "本聊天已经有这个查询订阅。",
        WatchUsage = "请发送 /watch 加 public-inbox 查询,如 /watch dfn:arch/x86/kvm/mmu f:seanjc、/watch s:\"io_uring\",或 lore 搜索链接。",
        WatchRefused = why => $"lore 拒绝了这个查询:{why}",
        WatchTooBroad = max => $"过去一周这个查询每天匹配超过 {max} 封邮件,超出了查询订阅的上限。请缩小范围(加上 f:、s: 或 dfn:)。",
        WatchUnbalanced = "这个查询有未闭合的引号或括号。",
        WatchLimit = n => $"本聊天已有 {n} 个查询订阅,已达上限;请先 /unwatch 一个。",
        WatchesTitle = "本聊天的 lore 查询订阅",
        NoWatches = "本聊天没有 lore 查询订阅。发送 /watch 加查询即可添加。",
        WatchLine = (inbox, since) => $"{inbox} · 自 {since} 起",
        Unwatched = query => $"已取消查询订阅「{query}」。",
        UnwatchUsage = "请发送 /unwatch 加 /watches 中的编号。",
        NoSuchWatch = what => $"本聊天没有查询订阅「{what}」;/watches 可查看。",
        NotAdminWatch = "只有本聊天的管理员可以更改查询订阅。",
        Paused = "已暂停",
    };
}
