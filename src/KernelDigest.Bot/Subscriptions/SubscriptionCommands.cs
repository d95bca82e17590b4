using System.Globalization;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;
using Microsoft.Extensions.Options;

namespace KernelDigest.Bot.Subscriptions;

/// <summary>A /subscribe, /unsubscribe or /subscription from a chat, with what the platform knows about the sender.</summary>
/// <param name="Platform">"telegram" or "discord".</param>
/// <param name="ChatId">The chat or channel the subscription is for.</param>
/// <param name="UserId">Who asked (for the record), if known.</param>
/// <param name="IsAdmin">Whether the platform says this person administers the chat.</param>
/// <param name="Command">subscribe, unsubscribe or subscription.</param>
/// <param name="Arguments">Subsystem names for /subscribe.</param>
/// <param name="Lang">The language to answer in (and to send digests in).</param>
public sealed record SubscriptionRequest(string Platform, string ChatId, string? UserId, bool IsAdmin, string Command, string Arguments, Lang Lang);

/// <summary>The subscription commands, the same on every platform; platforms only decide who is an administrator.</summary>
public sealed class SubscriptionCommands(
    SubscriptionStore store,
    ReportLibrary library,
    DigestSchedule schedule,
    DeliveryWorker worker,
    IOptions<DigestOptions> options)
{
    public static bool Handles(string command) => command is "subscribe" or "unsubscribe" or "subscription";

    public async Task<Reply> HandleAsync(SubscriptionRequest request, CancellationToken ct)
    {
        var t = SubscriptionTexts.For(request.Lang);
        var text = "/" + request.Command + (request.Arguments.Length > 0 ? " " + request.Arguments : "");
        Reply Answer(string title, params string[] body) => new() { Command = request.Command, Query = text, Lang = request.Lang, Title = title, Body = body };

        switch (request.Command)
        {
            case "subscription":
                return await StateAsync(request, t, Answer, ct);
            case "subscribe" or "unsubscribe" when !request.IsAdmin:
                return Answer(t.NotAdmin, request.Platform == "discord" ? t.WhoCanDiscord : t.WhoCanTelegram) with { IsError = true };
            case "unsubscribe":
                return await store.UnsubscribeAsync(request.Platform, request.ChatId, ct)
                    ? Answer(t.Unsubscribed)
                    : Answer(t.NotSubscribed);
        }

        var keys = new List<string>();
        foreach (var name in request.Arguments.Split([' ', ',', '，', '、'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (library.Subsystems.Resolve(name) is not { } subsystem)
            {
                var known = string.Join(", ", library.Subsystems.All.Select(s => s.Key));
                return Answer(t.UnknownSubsystem(Core.Reports.TextUtil.Visible(Core.Reports.TextUtil.Truncate(name, 64))), t.Known(known)) with { IsError = true };
            }
            if (!keys.Contains(subsystem.Key))
                keys.Add(subsystem.Key);
        }
        var subscription = await store.SubscribeAsync(request.Platform, request.ChatId, request.Lang.Code(), string.Join(',', keys), request.UserId, ct);
        var body = new List<string> { t.Filter(FilterText(keys, request.Lang)), t.NextRun(NextRunText()) };
        // Post the latest digest at once, so the chat sees what it will get (once: the outbox row is unique).
        if (library.Current.Latest is { } latest && await store.EnqueueAsync(subscription.Id, latest.Month.ToString(), ct))
        {
            body.Add(t.LatestFollows(latest.Month.ToString()));
            worker.Wake();
        }
        return Answer(t.Subscribed, [.. body]);
    }

    private async Task<Reply> StateAsync(SubscriptionRequest request, SubscriptionTexts t, Func<string, string[], Reply> answer, CancellationToken ct)
    {
        var s = await store.GetAsync(request.Platform, request.ChatId, ct);
        if (s is null || s.Status == SubscriptionStatus.Unsubscribed)
            return answer(t.NotSubscribed, [t.HowToSubscribe]);
        var last = await store.LastDeliveredAsync(s.Id, ct);
        var lines = new List<string>
        {
            t.Status(s.Status == SubscriptionStatus.Active ? t.Active : t.Paused),
            t.Filter(FilterText([.. s.Subsystems], request.Lang)),
            t.Language(s.Lang),
            t.LastDelivered(last ?? "—"),
            t.NextRun(NextRunText()),
        };
        if (s.Status == SubscriptionStatus.Paused)
            lines.Add(t.PausedBecause(s.PausedReason ?? "—"));
        return answer(t.StateTitle, [.. lines]);
    }

    private string FilterText(List<string> keys, Lang lang) =>
        keys.Count == 0
            ? SubscriptionTexts.For(lang).AllSubsystems
            : string.Join(lang == Lang.En ? ", " : "、", keys.Select(k => library.Subsystems.Find(k)?.Name(lang) ?? k));

    private string NextRunText()
    {
        var next = schedule.Next();
        if (next is null)
            return "—";
        var zone = options.Value.FindZone();
        var local = TimeZoneInfo.ConvertTime(next.Value, zone);
        return $"{local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} ({options.Value.TimeZone})";
    }
}

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
