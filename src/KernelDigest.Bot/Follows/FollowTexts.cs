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
    public required string WhoCanTelegram { get; init; }
    public required string WhoCanDiscord { get; init; }
    public required string WordsNotSupported { get; init; }

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
        Usage = "Send /follow with a lore link or a Message-ID of any message of the series, e.g. /follow https://lore.kernel.org/kvm/20201014182700.2888246-1-bgardon@google.com/",
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
        WhoCanTelegram = "In groups and channels the owner or an administrator sends the command; in a private chat, you.",
        WhoCanDiscord = "It needs the Administrator, Manage Server or Manage Channels permission.",
        WordsNotSupported = "Following by words is not available yet: send a lore link or a Message-ID (a /patch result's lore link works).",
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
        Usage = "请发送 /follow 加上该系列任一邮件的 lore 链接或 Message-ID,如 /follow https://lore.kernel.org/kvm/20201014182700.2888246-1-bgardon@google.com/",
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
        WhoCanTelegram = "在群组和频道中,请群主或管理员发送此命令;私聊中你本人即可。",
        WhoCanDiscord = "需要 Administrator、Manage Server 或 Manage Channels 权限。",
        WordsNotSupported = "暂不支持按关键词关注:请发送 lore 链接或 Message-ID(/patch 结果中的 lore 链接即可)。",
    };
}
