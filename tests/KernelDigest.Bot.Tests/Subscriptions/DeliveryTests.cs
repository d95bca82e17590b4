using KernelDigest.Bot.Storage;
using KernelDigest.Bot.Subscriptions;
using KernelDigest.Bot.TelegramChat;
using KernelDigest.Bot.Tests.TelegramDouble;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace KernelDigest.Bot.Tests.Subscriptions;

/// <summary>Digest delivery through the Bot API double on a real SQLite file: once, and resilient.</summary>
public sealed class DeliveryTests
{
    internal static int Parts(SubscriptionsHarness h, string lang = "zh-CN", IReadOnlySet<string>? filter = null)
    {
        var library = h.Services.GetRequiredService<ReportLibrary>();
        return TelegramRenderer.Render(ReportCommands.Digest(library.Current.Latest!, Langs.FromCode(lang), "/month", "digest", filter)).Count;
    }

    [Fact]
    public async Task A_filter_that_leaves_nothing_sends_nothing_and_a_filter_sends_only_its_sections()
    {
        await using var api = await FakeBotApi.StartAsync();
        await using var h = await SubscriptionsHarness.StartAsync(api, TestDatabases.Sqlite());
        await h.Store.SubscribeAsync(new ChatAddress(Platform.Telegram, "11"), "en", "mm", "test", CancellationToken.None);
        await h.Store.SubscribeAsync(new ChatAddress(Platform.Telegram, "12"), "en", "filesystems", "test", CancellationToken.None);

        await h.Planner.PlanAsync(null, CancellationToken.None);
        var counts = await h.Dispatcher.DrainAsync(CancellationToken.None);

        Assert.Equal(1, counts.Skipped);
        Assert.DoesNotContain(api.SentMessages, m => m.ChatId == 11);
        var fs = Assert.Single(api.SentMessages, m => m.ChatId == 12);
        Assert.Contains("RWF_NOAPPEND", fs.PlainText, StringComparison.Ordinal);
        Assert.DoesNotContain("TDP MMU", fs.PlainText, StringComparison.Ordinal);
        Assert.Equal(1, (await h.Store.CountsAsync("2020-09", CancellationToken.None)).Skipped);
    }

    [Fact]
    public async Task Blocked_and_vanished_chats_are_paused_with_the_reason_shown_by_subscription()
    {
        await using var api = await FakeBotApi.StartAsync();
        await using var h = await SubscriptionsHarness.StartAsync(api, TestDatabases.Sqlite());
        await h.SubscribeManyAsync(3, firstChat: 21, lang: "en");
        api.FailNext("sendMessage", 403, "Forbidden: bot was blocked by the user", chatId: 21);
        api.FailNext("sendMessage", 400, "Bad Request: chat not found", chatId: 22);

        await h.Planner.PlanAsync(null, CancellationToken.None);
        var counts = await h.Dispatcher.DrainAsync(CancellationToken.None);

        Assert.Equal(2, counts.Paused);
        Assert.Equal(1, counts.Sent);
        var blocked = await h.Store.GetAsync(new ChatAddress(Platform.Telegram, "21"), CancellationToken.None);
        Assert.Equal(SubscriptionStatus.Paused, blocked!.Status);
        Assert.Contains("blocked by the user", blocked.PausedReason, StringComparison.Ordinal);
        var state = await h.Commands.SubscriptionAsync(
            new Inbound { Chat = new ChatAddress(Platform.Telegram, "21"), UserId = "1", Lang = Lang.En, Command = new ParsedCommand("subscription", "") },
            CancellationToken.None);
        Assert.Contains(state.Body, l => l.Contains("Paused because: Forbidden: bot was blocked by the user", StringComparison.Ordinal));
        Assert.Contains(state.Body, l => l == "Status: paused");

        // A paused subscription is not sent to at the next run.
        var before = api.SentMessages.Count;
        await h.Store.EnqueueMonthAsync("2020-09", CancellationToken.None);
        await h.Dispatcher.DrainAsync(CancellationToken.None);
        Assert.Equal(before, api.SentMessages.Count);
    }

    [Fact]
    public async Task A_group_upgraded_to_a_supergroup_gets_its_digest_at_the_new_id_and_keeps_its_subscription()
    {
        await using var api = await FakeBotApi.StartAsync();
        await using var h = await SubscriptionsHarness.StartAsync(api, TestDatabases.Sqlite());
        await h.Store.SubscribeAsync(new ChatAddress(Platform.Telegram, "-31"), "zh-CN", "", "test", CancellationToken.None);
        api.FailNext("sendMessage", 400, "Bad Request: group chat was upgraded to a supergroup chat", migrateToChatId: -1001234567890, chatId: -31);

        await h.Planner.PlanAsync(null, CancellationToken.None);
        var counts = await h.Dispatcher.DrainAsync(CancellationToken.None);

        Assert.Equal(1, counts.Sent);
        Assert.Contains(api.SentMessages, m => m.ChatId == -1001234567890);
        Assert.DoesNotContain(api.SentMessages, m => m.ChatId == -31);
        Assert.NotNull(await h.Store.GetAsync(new ChatAddress(Platform.Telegram, "-1001234567890"), CancellationToken.None));
        Assert.Null(await h.Store.GetAsync(new ChatAddress(Platform.Telegram, "-31"), CancellationToken.None));
    }

    [Fact]
    public async Task Server_errors_are_retried_with_back_off_and_the_digest_still_arrives()
    {
        await using var api = await FakeBotApi.StartAsync();
        await using var h = await SubscriptionsHarness.StartAsync(api, TestDatabases.Sqlite());
        await h.Store.SubscribeAsync(new ChatAddress(Platform.Telegram, "41"), "en", "", "test", CancellationToken.None);
        api.FailNext("sendMessage", 502, "Bad Gateway", times: 2, chatId: 41);

        await h.Planner.PlanAsync(null, CancellationToken.None);
        var counts = await h.Dispatcher.DrainAsync(CancellationToken.None);

        Assert.Equal(1, counts.Sent);
        var attempts = api.RequestsFor("sendMessage").Where(r => r.Body.GetProperty("chat_id").GetInt64() == 41).ToList();
        Assert.Equal(2 + Parts(h, "en"), attempts.Count);
        Assert.True(attempts[2].Time - attempts[0].Time >= TimeSpan.FromMilliseconds(500), "no back-off between retries");
    }

    [Fact]
    public async Task Deliveries_left_by_a_dead_instance_are_taken_over_and_sent_once()
    {
        await using var api = await FakeBotApi.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await SubscriptionsHarness.StartAsync(api, TestDatabases.Sqlite(), time: time);
        await h.SubscribeManyAsync(20, firstChat: 500);
        await h.Store.EnqueueMonthAsync("2020-09", CancellationToken.None);

        // Another instance claimed ten deliveries and died before sending any.
        var dead = await h.Store.ClaimAsync("dead-instance", 10, TimeSpan.FromMinutes(5), CancellationToken.None);
        Assert.Equal(10, dead.Count);

        var first = await h.Dispatcher.DrainAsync(CancellationToken.None);
        Assert.True(first.Sent == 10, $"the dead instance's claims are still fresh, yet {first.Sent} were sent; store clock {h.Services.GetRequiredService<TimeProvider>().GetType().Name}");

        time.Advance(TimeSpan.FromSeconds(3)); // past Digest:ClaimTimeout (2 s in this harness)
        var second = await h.Dispatcher.DrainAsync(CancellationToken.None);

        Assert.Equal(10, second.Sent);
        var perChat = api.SentMessages.GroupBy(m => m.ChatId).ToList();
        Assert.Equal(20, perChat.Count);
        Assert.All(perChat, g => Assert.Equal(Parts(h), g.Count()));
    }

    [Fact]
    public async Task Claims_of_a_process_of_this_host_that_is_gone_are_taken_over_at_once_and_other_hosts_claims_are_reported()
    {
        await using var api = await FakeBotApi.StartAsync();
        await using var h = await SubscriptionsHarness.StartAsync(api, TestDatabases.Sqlite(),
            new Dictionary<string, string?> { ["Digest:ClaimTimeout"] = "00:10:00" }); // only a dead holder explains a takeover
        await h.SubscribeManyAsync(12, firstChat: 700);
        await h.Store.EnqueueMonthAsync("2020-09", CancellationToken.None);
        var me = ClaimHolder.New();
        // A process of this host that exited (no process has that id), one whose pid was reused by another process
        // (this very one, started at another time), and a process of another host, which cannot be checked from here.
        var gone = me with { ProcessId = int.MaxValue - 7 };
        var reused = me with { StartTicks = me.StartTicks - TimeSpan.TicksPerDay };
        var elsewhere = me with { Host = "host-b", ProcessId = 4242 };
        foreach (var holder in new[] { gone, reused, elsewhere })
            Assert.Equal(4, (await h.Store.ClaimAsync(holder.ToString(), 4, TimeSpan.FromMinutes(10), CancellationToken.None)).Count);

        var counts = await h.Dispatcher.DrainAsync(CancellationToken.None);
        var held = await h.Dispatcher.HeldElsewhereAsync(CancellationToken.None);

        Assert.Equal(8, counts.Sent);
        Assert.Equal(8, api.SentMessages.Select(m => m.ChatId).Distinct().Count());
        var (who, count, until) = Assert.Single(held);
        Assert.Equal("host-b:4242", who);
        Assert.Equal(4, count);
        Assert.InRange(until, DateTimeOffset.UtcNow + TimeSpan.FromMinutes(9), DateTimeOffset.UtcNow + TimeSpan.FromMinutes(11));
        Assert.False(me.IsDeadHere); // and this process, alive, is never taken for dead
    }

    [Fact]
    public async Task Two_instances_on_one_database_send_one_at_a_time_per_platform_within_the_bots_limit()
    {
        const int PerSecond = 60;
        await using var api = await FakeBotApi.StartAsync();
        api.RateLimit(perSecondGlobal: PerSecond * 11 / 10);
        var db = TestDatabases.Sqlite();
        var settings = new Dictionary<string, string?> { ["Telegram:MaxMessagesPerSecond"] = PerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        await using var a = await SubscriptionsHarness.StartAsync(api, db, settings);
        await using var b = await SubscriptionsHarness.StartAsync(api, db, settings);
        await a.SubscribeManyAsync(150, firstChat: 800);
        await a.Planner.PlanAsync(null, CancellationToken.None);

        var drained = await Task.WhenAll(a.Dispatcher.DrainAsync(CancellationToken.None), b.Dispatcher.DrainAsync(CancellationToken.None));

        Assert.Equal(150, drained.Sum(d => d.Sent));
        Assert.Contains(drained, d => d.Sent == 0); // the other held the Telegram sender lease for the whole round
        Assert.Equal(0, api.TooManyRequestsSent);
        var busiest = Pacing.BusiestSecond([.. a.Departures, .. b.Departures]);
        Assert.True(busiest <= PerSecond, $"busiest second: {busiest} requests left the two instances together");
        Assert.Equal(150, api.SentMessages.Select(m => m.ChatId).Distinct().Count());
        // The round over, the lease is given back: the other instance can send the next one at once.
        Assert.Null(await a.Services.GetRequiredService<KernelDigest.Bot.Storage.Leases>().HolderAsync("sender:telegram", CancellationToken.None));
    }

    [Fact]
    public async Task A_digest_a_planner_run_owed_just_before_subscribe_still_waits_behind_the_confirmation()
    {
        // The race CI once lost: a planner run (the missed run at start, say) owes the new subscription the latest month
        // between /subscribe's store write and its own; the digest must still follow the confirmation, not beat it.
        await using var api = await FakeBotApi.StartAsync();
        await using var h = await SubscriptionsHarness.StartAsync(api, TestDatabases.Sqlite());
        var chat = new ChatAddress(Platform.Telegram, "700");
        await h.Store.SubscribeAsync(chat, "en", "", "1", CancellationToken.None);
        await h.Planner.PlanAsync(null, CancellationToken.None);

        var reply = await h.Commands.SubscribeAsync(
            new Inbound { Chat = chat, UserId = "1", Lang = Lang.En, Kind = ChatKind.Private, Command = new ParsedCommand("subscribe", "") },
            CancellationToken.None);
        var beforeReply = await h.Dispatcher.DrainAsync(CancellationToken.None);

        Assert.Contains("The 2020-09 digest follows now.", reply.Body);
        Assert.Equal(0, beforeReply.Sent);
        Assert.DoesNotContain(api.SentMessages, m => m.ChatId == 700);

        // The platform has the confirmation: the digest is released (in the background) and goes at the next round.
        Assert.NotNull(reply.AfterSent);
        reply.AfterSent();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while ((await h.Dispatcher.DrainAsync(CancellationToken.None)).Sent == 0 && clock.Elapsed < TimeSpan.FromSeconds(30))
            await Task.Delay(50);
        Assert.Contains(api.SentMessages, m => m.ChatId == 700 && m.PlainText.Contains("TDP MMU", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missed_scheduled_run_is_made_up_once_at_start()
    {
        await using var api = await FakeBotApi.StartAsync();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 6, 0, 0, TimeSpan.Zero));
        await using var h = await SubscriptionsHarness.StartAsync(api, TestDatabases.Sqlite());
        await h.SubscribeManyAsync(2, firstChat: 600);
        await h.Store.SetStateAsync(DigestPlanner.LastRunKey, "2026-11-01T02:00:00.000Z", CancellationToken.None);
        var planner = new DigestPlanner(h.Store, h.Services.GetRequiredService<ReportLibrary>(), h.Services.GetRequiredService<DeliverySignal>(),
            new DigestSchedule(new DigestOptions(), time), time, Microsoft.Extensions.Logging.Abstractions.NullLogger<DigestPlanner>.Instance);

        await planner.CatchUpAsync(CancellationToken.None);
        var afterFirst = await h.Store.CountsAsync("2020-09", CancellationToken.None);
        await planner.CatchUpAsync(CancellationToken.None);

        Assert.Equal(2, afterFirst.Pending);
        Assert.Equal("2026-12-01T06:00:00.000Z", await h.Store.GetStateAsync(DigestPlanner.LastRunKey, CancellationToken.None));
        Assert.Equal(2, (await h.Store.CountsAsync("2020-09", CancellationToken.None)).Pending);
    }
}

/// <summary>A large digest fan-out through the Bot API double on a real SQLite file: once each, under the rate limit.</summary>
/// <remarks>
/// Alone: requests that leave the bot paced can still arrive bunched at the double when the machine is busy, and the
/// double refuses what is over its limit.
/// </remarks>
[Collection(RunsAlone.Name)]
public sealed class FanOutTests
{
    private const int Limit = 100;

    private static int BusiestSecond(FakeBotApi api) => Pacing.BusiestSecond(api.RequestsFor("sendMessage").Select(r => r.Time));

    [Fact]
    public async Task A_thousand_subscriptions_each_get_the_digest_once_under_the_rate_limit_with_no_429()
    {
        await using var api = await FakeBotApi.StartAsync();
        // The flood limit sits 10% above the bot's own: a margin for arrivals a machine shared with other work bunches
        // on their way to the double (the bot's pacing is judged where requests leave it, below). Unpaced, the bot
        // would send several hundred a second.
        api.RateLimit(perSecondGlobal: Limit * 11 / 10);
        await using var h = await SubscriptionsHarness.StartAsync(api, TestDatabases.Sqlite(), new() { ["Telegram:MaxMessagesPerSecond"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await h.SubscribeManyAsync(1000);

        var owed = await h.Planner.PlanAsync(null, CancellationToken.None);
        var counts = await h.Dispatcher.DrainAsync(CancellationToken.None);

        var parts = DeliveryTests.Parts(h);
        Assert.Equal(1000, owed);
        Assert.Equal(1000, counts.Sent);
        Assert.True(api.TooManyRequestsSent == 0, $"{api.TooManyRequestsSent} × 429; busiest second had {BusiestSecond(api)} sendMessage calls");
        Assert.Equal(1000 * parts, h.Departures.Count);
        var busiest = Pacing.BusiestSecond(h.Departures);
        Assert.True(busiest is >= 1 and <= Limit, $"busiest second: {busiest} requests left the bot");
        var perChat = api.SentMessages.GroupBy(m => m.ChatId).ToList();
        Assert.Equal(1000, perChat.Count);
        Assert.All(perChat, g => Assert.Equal(parts, g.Count()));
        Assert.All(perChat, g => Assert.StartsWith("Linux阅码场 - Linux内核月报(2020年09月)", g.OrderBy(m => m.MessageId).First().PlainText, StringComparison.Ordinal));

        // Planning the same month again owes nothing: each subscription gets each month once.
        Assert.Equal(0, await h.Planner.PlanAsync(null, CancellationToken.None));
        Assert.Equal(0, (await h.Dispatcher.DrainAsync(CancellationToken.None)).Sent);
    }
}
