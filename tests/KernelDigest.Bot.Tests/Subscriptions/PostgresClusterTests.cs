using KernelDigest.Bot.Subscriptions;
using KernelDigest.Bot.TelegramChat;
using KernelDigest.Bot.Tests.TelegramDouble;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;
using Microsoft.Extensions.DependencyInjection;

namespace KernelDigest.Bot.Tests.Subscriptions;

/// <summary>
/// Cluster mode on a real PostgreSQL (KERNELDIGEST_TEST_POSTGRES; .ci/run starts one, and with CI=true these fail
/// rather than skip when it is missing): several instances share one store and one Quartz schedule. Alone, as
/// <see cref="FanOutTests"/>: the fan-out's pace is measured, and the process test starts two bots.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class PostgresClusterTests
{
    [SkippableFact]
    public async Task Two_instances_draining_one_PostgreSQL_outbox_send_each_subscription_each_month_once()
    {
        await using var api = await FakeBotApi.StartAsync();
        // The bot token's limit is the bot's, not each process's: two instances together stay under it.
        api.RateLimit(perSecondGlobal: 110);
        var db = await TestDatabases.PostgresAsync();
        await using var a = await SubscriptionsHarness.StartAsync(api, db, new() { ["Telegram:MaxMessagesPerSecond"] = "100", ["Digest:Concurrency"] = "8" });
        await using var b = await SubscriptionsHarness.StartAsync(api, db, new() { ["Telegram:MaxMessagesPerSecond"] = "100", ["Digest:Concurrency"] = "8" });
        await a.SubscribeManyAsync(300, firstChat: 1000);

        // Both plan the month (as two schedulers might) and both drain at once.
        var planned = await Task.WhenAll(a.Planner.PlanAsync(null, CancellationToken.None), b.Planner.PlanAsync(null, CancellationToken.None));
        var drained = await Task.WhenAll(a.Dispatcher.DrainAsync(CancellationToken.None), b.Dispatcher.DrainAsync(CancellationToken.None));

        Assert.Equal(300, planned.Sum());
        Assert.Equal(300, drained.Sum(d => d.Sent));
        Assert.Equal(0, api.TooManyRequestsSent);
        var busiest = Pacing.BusiestSecond([.. a.Departures, .. b.Departures]);
        Assert.True(busiest <= 100, $"busiest second: {busiest} requests left the two instances together");
        var parts = TelegramRenderer.Render(ReportCommands.Digest(a.Services.GetRequiredService<ReportLibrary>().Current.Latest!, Lang.Zh, "/month")).Count;
        var perChat = api.SentMessages.GroupBy(m => m.ChatId).ToList();
        Assert.Equal(300, perChat.Count);
        Assert.All(perChat, g => Assert.Equal(parts, g.Count()));
        Assert.Equal(300, (await a.Store.CountsAsync("2020-09", CancellationToken.None)).Sent);
    }

    [SkippableFact]
    public async Task The_store_behaves_the_same_on_PostgreSQL()
    {
        await using var api = await FakeBotApi.StartAsync();
        await using var h = await SubscriptionsHarness.StartAsync(api, await TestDatabases.PostgresAsync());

        var s = await h.Store.SubscribeAsync(new ChatAddress(Platform.Telegram, "-100"), "en", "virtualization,filesystems", "7", CancellationToken.None);
        var again = await h.Store.SubscribeAsync(new ChatAddress(Platform.Telegram, "-100"), "zh-CN", "", "8", CancellationToken.None);
        Assert.Equal(s.Id, again.Id);
        Assert.Equal("zh-CN", again.Lang);
        Assert.Empty(again.Subsystems);

        var later = DateTimeOffset.UtcNow.AddHours(1);
        var (held, owed) = await h.Store.SubscribeOwingAsync(new ChatAddress(Platform.Telegram, "-100"), "zh-CN", "", "8", "2020-09", later, CancellationToken.None);
        Assert.Equal(s.Id, held.Id);
        Assert.True(owed);
        Assert.True((await h.Store.SubscribeOwingAsync(new ChatAddress(Platform.Telegram, "-100"), "zh-CN", "", "8", "2020-09", later, CancellationToken.None)).Owed); // still untried: held again
        Assert.Empty(await h.Store.ClaimAsync("x", 10, TimeSpan.FromMinutes(1), CancellationToken.None));
        await h.Store.DueNowAsync(s.Id, "2020-09", CancellationToken.None);
        var claimed = Assert.Single(await h.Store.ClaimAsync("x", 10, TimeSpan.FromMinutes(1), CancellationToken.None));
        Assert.False((await h.Store.SubscribeOwingAsync(new ChatAddress(Platform.Telegram, "-100"), "zh-CN", "", "8", "2020-09", later, CancellationToken.None)).Owed); // under way
        Assert.Empty(await h.Store.ClaimAsync("y", 10, TimeSpan.FromMinutes(1), CancellationToken.None));
        await h.Store.MarkSentAsync(claimed.Delivery.Id, CancellationToken.None);
        Assert.Equal("2020-09", await h.Store.LastDeliveredAsync(s.Id, CancellationToken.None));

        await h.Store.MoveChatAsync(Platform.Telegram, "-100", "-100200", CancellationToken.None);
        Assert.Null(await h.Store.GetAsync(new ChatAddress(Platform.Telegram, "-100"), CancellationToken.None));
        Assert.True(await h.Store.UnsubscribeAsync(new ChatAddress(Platform.Telegram, "-100200"), CancellationToken.None));
        Assert.False(await h.Store.UnsubscribeAsync(new ChatAddress(Platform.Telegram, "-100200"), CancellationToken.None));
        await h.Store.SetStateAsync("k", "v1", CancellationToken.None);
        await h.Store.SetStateAsync("k", "v2", CancellationToken.None);
        Assert.Equal("v2", await h.Store.GetStateAsync("k", CancellationToken.None));
    }

    /// <summary>Real processes: what is tested is two instances, each with its own scheduler, sharing one store.</summary>
    [SkippableFact]
    public async Task Two_bot_processes_on_one_PostgreSQL_run_the_clustered_schedule_and_deliver_each_digest_once()
    {
        await using var api = await FakeBotApi.StartAsync();
        var db = await TestDatabases.PostgresAsync();
        // Built, not run: the test reads the store through it while the processes do the work.
        await using var store = await SubscriptionsHarness.StartAsync(api, db);
        await store.SubscribeManyAsync(100, firstChat: 5000, lang: "en");
        var latest = store.Services.GetRequiredService<ReportLibrary>().Current.Latest!;
        var parts = TelegramRenderer.Render(ReportCommands.Digest(latest, Lang.En, "/month", "digest")).Count;

        var settings = new Dictionary<string, string>
        {
            ["Telegram__BotToken"] = api.Token,
            ["Telegram__ApiBaseUrl"] = api.BaseUrl.ToString(),
            ["Telegram__Mode"] = "webhook", // two instances behind a load balancer: no competing getUpdates
            ["Telegram__WebhookUrl"] = "https://bot.example.org/telegram/webhook",
            ["Telegram__WebhookSecret"] = "cluster-secret",
            ["Storage__Provider"] = "postgres",
            ["Storage__ConnectionString"] = db.ConnectionString!,
            ["Digest__Cron"] = "0/2 * * * * ?", // every two seconds, so the test sees several runs
            ["Digest__PollInterval"] = "00:00:00.500",
        };
        await using var one = BotHost.Start(settings);
        await using var two = BotHost.Start(settings);
        await one.WaitForLog("started (webhook)", TimeSpan.FromSeconds(60));
        await two.WaitForLog("started (webhook)", TimeSpan.FromSeconds(60));

        // Every delivery marked sent: each is marked only after its last part went out.
        await one.Within(WaitUntilAsync(async () => (await store.Store.CountsAsync(latest.Month.ToString(), CancellationToken.None)).Sent == 100));
        var sent = api.SentMessages.Count;
        // Two more scheduled runs (each fired by one instance of the cluster) plan the month again and wake both
        // dispatchers; a digest sent twice would have to be owed again by one of them.
        var before = Plans(latest.Month, one, two);
        await one.Within(WaitUntilAsync(() => Task.FromResult(Plans(latest.Month, one, two).Runs >= before.Runs + 2)));
        var after = Plans(latest.Month, one, two);

        Assert.Equal(after.Runs - before.Runs, after.OwingNothing - before.OwingNothing);
        Assert.Equal(100 * parts, sent);
        Assert.Equal(sent, api.SentMessages.Count);
        var perChat = api.SentMessages.GroupBy(m => m.ChatId).ToList();
        Assert.Equal(100, perChat.Count);
        Assert.All(perChat, g => Assert.Equal(parts, g.Count())); // every chat got the digest once
    }

    /// <summary>How many times the two processes planned the month, and how many of those owed nothing new.</summary>
    private static (int Runs, int OwingNothing) Plans(ReportMonth month, BotHost one, BotHost two)
    {
        var logs = one.Logs + two.Logs;
        return (CountOf(logs, $"Digest {month}: "), CountOf(logs, $"Digest {month}: 0 new deliveries owed"));
    }

    private static int CountOf(string text, string part)
    {
        var n = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
            n++;
        return n;
    }

    private static async Task<bool> WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("the condition did not hold in time");
            await Task.Delay(100);
        }
        return true;
    }
}
