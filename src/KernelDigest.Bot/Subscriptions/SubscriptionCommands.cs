using System.Globalization;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;
using Microsoft.Extensions.Options;

namespace KernelDigest.Bot.Subscriptions;

/// <summary>
/// /subscribe, /unsubscribe and /subscription, the same on every platform. A subscription belongs to the chat, or to
/// the forum topic, the command was sent in. Who may change it: the user in a private chat, an administrator in a
/// group (the platform answers <see cref="Inbound.IsAdmin"/>), anyone who can post in a channel (only admins can).
/// </summary>
public sealed class SubscriptionCommands(
    SubscriptionStore store,
    ReportLibrary library,
    DigestSchedule schedule,
    DeliverySignal signal,
    IOptions<DigestOptions> options,
    TimeProvider time)
{
    public async Task<Reply> SubscriptionAsync(Inbound input, CancellationToken ct)
    {
        var t = SubscriptionTexts.For(input.Lang);
        var s = await store.GetAsync(input.Chat, ct);
        if (s is null || s.Status == SubscriptionStatus.Unsubscribed)
            return Answer(input, t.NotSubscribed, t.HowToSubscribe);
        var last = await store.LastDeliveredAsync(s.Id, ct);
        var lines = new List<string>
        {
            t.Status(s.Status == SubscriptionStatus.Active ? t.Active : t.Paused),
            t.Filter(FilterText([.. s.Subsystems], input.Lang)),
            t.Language(s.Lang),
            t.LastDelivered(last ?? "—"),
            t.NextRun(NextRunText()),
        };
        if (s.Status == SubscriptionStatus.Paused)
            lines.Add(t.PausedBecause(s.PausedReason ?? "—"));
        return Answer(input, t.StateTitle, [.. lines]);
    }

    public async Task<Reply> UnsubscribeAsync(Inbound input, CancellationToken ct)
    {
        var t = SubscriptionTexts.For(input.Lang);
        if (!await MayChangeAsync(input, ct))
            return NotAdmin(input, t);
        return await store.UnsubscribeAsync(input.Chat, ct) ? Answer(input, t.Unsubscribed) : Answer(input, t.NotSubscribed);
    }

    public async Task<Reply> SubscribeAsync(Inbound input, CancellationToken ct)
    {
        var t = SubscriptionTexts.For(input.Lang);
        if (!await MayChangeAsync(input, ct))
            return NotAdmin(input, t);
        var keys = new List<string>();
        foreach (var name in (input.Command?.Arguments ?? "").Split([' ', ',', '，', '、'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (library.Subsystems.Resolve(name) is not { } subsystem)
            {
                var known = string.Join(", ", library.Subsystems.All.Select(s => s.Key));
                return Answer(input, t.UnknownSubsystem(TextUtil.Visible(TextUtil.Truncate(name, 64))), t.Known(known)) with { IsError = true };
            }
            if (!keys.Contains(subsystem.Key))
                keys.Add(subsystem.Key);
        }
        var (lang, filter) = (input.Lang.Code(), string.Join(',', keys));
        var body = new List<string> { t.Filter(FilterText(keys, input.Lang)), t.NextRun(NextRunText()) };
        // Post the latest digest, so the chat sees what it will get (once: the outbox row is unique), right after this
        // confirmation: the row is held back until the platform has the reply, or for half a minute should it never say.
        if (library.Current.Latest?.Month.ToString() is not { } month)
        {
            await store.SubscribeAsync(input.Chat, lang, filter, input.UserId, ct);
            return Answer(input, t.Subscribed, [.. body]);
        }
        var (subscription, owed) = await store.SubscribeOwingAsync(input.Chat, lang, filter, input.UserId, month, time.GetUtcNow() + HoldBehindReply, ct);
        if (!owed)
            return Answer(input, t.Subscribed, [.. body]);
        body.Add(t.LatestFollows(month));
        return Answer(input, t.Subscribed, [.. body]) with { AfterSent = () => _ = ReleaseAsync(subscription.Id, month) };
    }

    /// <summary>The longest a digest announced by /subscribe waits for its confirmation to be sent.</summary>
    private static readonly TimeSpan HoldBehindReply = TimeSpan.FromSeconds(30);

    /// <summary>The confirmation is out: the digest is due now. Never throws (it runs once the reply is gone).</summary>
    private async Task ReleaseAsync(long subscriptionId, string month)
    {
        try
        {
            await store.DueNowAsync(subscriptionId, month, CancellationToken.None);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            // The hold runs out on its own: the digest follows within half a minute anyway.
        }
        signal.Wake();
    }

    /// <summary>
    /// The rule of <see cref="CommandAccess.ChatAdmins"/>, the same on every platform. Discord offers these commands in
    /// servers only (<see cref="CommandSpec.DiscordServerOnly"/>): one that reaches the bot from a DM has no member
    /// permissions to go by, and is refused. Follows use the same rule.
    /// </summary>
    internal static async Task<bool> MayChangeAsync(Inbound input, CancellationToken ct) => input.Kind switch
    {
        ChatKind.Private when input.Chat.Platform == Platform.Discord => false,
        ChatKind.Private or ChatKind.Channel => true,
        _ => await input.IsAdmin(ct),
    };

    /// <summary>
    /// The refusal of a change by someone <see cref="MayChangeAsync"/> does not allow: <paramref name="refusal"/>, and
    /// who may make it, which is the same rule for subscriptions, follows and watches.
    /// </summary>
    internal static Reply NotAdmin(Inbound input, string command, string refusal)
    {
        var t = SubscriptionTexts.For(input.Lang);
        return Reply.To(input, command, refusal, input.Chat.Platform == Platform.Discord ? t.WhoCanDiscord : t.WhoCanTelegram) with { IsError = true };
    }

    private static Reply NotAdmin(Inbound input, SubscriptionTexts t) => NotAdmin(input, "subscription", t.NotAdmin);

    private static Reply Answer(Inbound input, string title, params string[] body) => Reply.To(input, "subscription", title, body);

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
