using KernelDigest.Core;

namespace KernelDigest.Bot.Subscriptions;

/// <summary>What the subscription commands say, in one language.</summary>
public sealed record SubscriptionTexts
{
    public required string Subscribed { get; init; }
    public required string Unsubscribed { get; init; }
    public required string NotSubscribed { get; init; }
    public required string HowToSubscribe { get; init; }
    public required string NotAdmin { get; init; }
    public required string WhoCanTelegram { get; init; }
    public required string WhoCanDiscord { get; init; }
    public required string AllSubsystems { get; init; }
    public required string StateTitle { get; init; }
    public required string Active { get; init; }
    public required string Paused { get; init; }
    public required Func<string, string> Filter { get; init; }
    public required Func<string, string> NextRun { get; init; }
    public required Func<string, string> LatestFollows { get; init; }
    public required Func<string, string> Status { get; init; }
    public required Func<string, string> Language { get; init; }
    public required Func<string, string> LastDelivered { get; init; }
    public required Func<string, string> PausedBecause { get; init; }
    public required Func<string, string> UnknownSubsystem { get; init; }
    public required Func<string, string> Known { get; init; }
    public required string WelcomeBack { get; init; }

    public static SubscriptionTexts For(Lang lang) => lang == Lang.En ? En : Zh;

    public static SubscriptionTexts Zh { get; } = new()
    {
        Subscribed = "已订阅 Linux 内核月报",
        Unsubscribed = "已取消订阅,本聊天不会再收到月报。",
        NotSubscribed = "本聊天没有订阅月报。",
        HowToSubscribe = "管理员可以发送 /subscribe 订阅,或 /subscribe kvm fs 只订阅部分子系统。",
        NotAdmin = "只有本聊天的管理员可以更改订阅。",
        WhoCanTelegram = "在群组和频道中,请群主或管理员发送此命令;私聊中你本人即可。",
        WhoCanDiscord = "需要 Administrator、Manage Server 或 Manage Channels 权限。",
        AllSubsystems = "全部子系统",
        StateTitle = "本聊天的订阅",
        Active = "推送中",
        Paused = "已暂停",
        Filter = f => $"范围:{f}",
        NextRun = n => $"下次推送:{n}",
        LatestFollows = m => $"{m} 的月报马上发送。",
        Status = s => $"状态:{s}",
        Language = l => $"语言:{l}",
        LastDelivered = m => $"最近送达:{m}",
        PausedBecause = r => $"暂停原因:{r}。管理员发送 /subscribe 可恢复。",
        UnknownSubsystem = s => $"没有名为「{s}」的子系统。",
        Known = k => $"可用的子系统:{k}",
        WelcomeBack = "欢迎回来!本聊天的月报订阅已暂停,管理员发送 /subscribe 即可恢复。",
    };

    public static SubscriptionTexts En { get; } = new()
    {
        Subscribed = "Subscribed to the Linux kernel monthly digest",
        Unsubscribed = "Unsubscribed: this chat will get no more digests.",
        NotSubscribed = "This chat is not subscribed.",
        HowToSubscribe = "An administrator can send /subscribe, or /subscribe kvm fs for some subsystems only.",
        NotAdmin = "Only this chat's administrators can change its subscription.",
        WhoCanTelegram = "In groups and channels the owner or an administrator must send it; in a private chat, you can.",
        WhoCanDiscord = "It needs the Administrator, Manage Server or Manage Channels permission.",
        AllSubsystems = "all subsystems",
        StateTitle = "This chat's subscription",
        Active = "active",
        Paused = "paused",
        Filter = f => $"Subsystems: {f}",
        NextRun = n => $"Next digest: {n}",
        LatestFollows = m => $"The {m} digest follows now.",
        Status = s => $"Status: {s}",
        Language = l => $"Language: {l}",
        LastDelivered = m => $"Last delivered: {m}",
        PausedBecause = r => $"Paused because: {r}. An administrator can /subscribe to resume.",
        UnknownSubsystem = s => $"There is no subsystem called \"{s}\".",
        Known = k => $"Known subsystems: {k}",
        WelcomeBack = "Welcome back! This chat's digest subscription is paused; an administrator can /subscribe to resume it.",
    };
}
