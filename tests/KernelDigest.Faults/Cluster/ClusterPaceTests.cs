using System.Globalization;
using KernelDigest.Bot.Subscriptions;
using KernelDigest.Bot.TelegramChat;
using KernelDigest.Bot.Tests;
using KernelDigest.Bot.Tests.Subscriptions;
using KernelDigest.Bot.Tests.TelegramDouble;
using KernelDigest.Core;
using KernelDigest.Core.Reports;
using Microsoft.Extensions.DependencyInjection;
using CoreReportCommands = KernelDigest.Core.Commands.ReportCommands;

namespace KernelDigest.Faults.Cluster;

/// <summary>
/// Issue 16 §2, the platform's limits in cluster mode: three bot processes in webhook mode on one PostgreSQL database,
/// 80 groups owed the month, the Bot API double holding the bot to Telegram's 30 messages a second and 20 a minute per
/// group (answering 429 beyond them), and the instance that is sending killed (SIGKILL) after 30 messages. Every group
/// gets the month; none gets it twice beyond what was in flight (at most <c>Digest:Concurrency</c>); no 429 at all,
/// since one sender per platform holds the pace whichever instance it is.
/// </summary>
public sealed class ClusterPaceTests(ITestOutputHelper output)
{
    private const int Groups = 80;
    private const int Concurrency = 4;

    [SkippableFact]
    public async Task Three_instances_keep_the_bots_pace_and_a_killed_sender_leaves_no_group_without_the_month()
    {
        await using var api = await FakeBotApi.StartAsync();
        api.RateLimit(perSecondGlobal: 30, perMinutePerGroup: 20);
        var db = await TestDatabases.PostgresAsync();
        await using var store = await SubscriptionsHarness.StartAsync(api, db);
        await store.SubscribeManyAsync(Groups, firstChat: -1_000_700_000L - Groups + 1, lang: "en"); // group ids are negative
        var latest = store.Services.GetRequiredService<ReportLibrary>().Current.Latest!;
        var parts = TelegramRenderer.Render(CoreReportCommands.Digest(latest, Lang.En, "/month", "digest")).Count;
        var settings = ClusterBots.Settings(api, db, perSecond: 25, concurrency: Concurrency);
        settings["Digest__Cron"] = "0/5 * * * * ?"; // the month owed within seconds of start, whichever instance fires
        var bots = new List<BotHost>();
        try
        {
            for (var i = 0; i < 3; i++)
                bots.Add(BotHost.Start(settings));
            foreach (var bot in bots)
                await bot.WaitForLog("started (webhook)", TimeSpan.FromSeconds(90));

            // The instance sending when 30 messages are out is killed.
            await bots[0].Within(api.WaitFor(a => a.SentMessages.Count >= 30 ? true : (bool?)null, TimeSpan.FromSeconds(90)));
            var holder = await ClusterBots.SenderPidAsync(store);
            var sender = bots.Single(b => b.ProcessId == holder);
            sender.Kill();
            await sender.WaitForExitAsync(TimeSpan.FromSeconds(10));
            var atKill = api.SentMessages.Count;

            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
            while ((await store.Store.CountsAsync(latest.Month.ToString(), CancellationToken.None)).Sent < Groups)
            {
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"not every group got the month: {await store.Store.CountsAsync(latest.Month.ToString(), CancellationToken.None)}\n"
                        + string.Join("\n---\n", bots.Select(b => b.Logs)));
                await Task.Delay(200);
            }
            var perGroup = api.SentMessages.GroupBy(m => m.ChatId).ToDictionary(g => g.Key, g => g.Count());
            var twice = perGroup.Values.Count(n => n > parts);
            var extra = api.SentMessages.Count - Groups * parts;
            Figures.Print(output, "cluster-pace",
                $"3 instances on PostgreSQL, {Groups} groups × {parts} messages, sender killed after {atKill}: every group got the month {perGroup.Count}/{Groups}, "
                + $"messages sent twice {extra} (bound {Concurrency}), groups with a repeat {twice}, 429 answers {api.TooManyRequestsSent}");

            Assert.Equal(Groups, perGroup.Count);
            Assert.All(perGroup.Values, n => Assert.InRange(n, parts, parts * 2));
            Assert.InRange(extra, 0, Concurrency);
            Assert.Equal(0, api.TooManyRequestsSent);
        }
        finally
        {
            foreach (var bot in bots)
                await bot.DisposeAsync();
        }
    }
}
