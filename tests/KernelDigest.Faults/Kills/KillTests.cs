using System.Diagnostics;
using System.Globalization;
using Dapper;
using KernelDigest.Bot.Storage;
using KernelDigest.Bot.Subscriptions;
using KernelDigest.Bot.TelegramChat;
using KernelDigest.Bot.Tests;
using KernelDigest.Bot.Tests.Subscriptions;
using KernelDigest.Bot.Tests.TelegramDouble;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;
using Microsoft.Extensions.DependencyInjection;

namespace KernelDigest.Faults.Kills;

/// <summary>
/// Issue 16 §3.1. On SQLite: a fan-out of the month's digest to 500 chats, by <c>digest send</c> processes killed with
/// SIGKILL twenty times at random moments, each followed by a new process on the same store, until one finishes.
/// Every chat ends with the digest; at most one message is repeated per kill (one send in flight:
/// <c>Digest:Concurrency=1</c>); and no chat whose delivery was recorded as confirmed at a kill gets anything more.
/// On PostgreSQL: the same with two running bot instances sharing the database (cluster mode), the one sending killed
/// most of the time, each kill followed by a replacement.
/// </summary>
public sealed class KillTests(ITestOutputHelper output)
{
    private const int Chats = 500;
    private const int Kills = 20;

    [Fact]
    public async Task Twenty_kills_during_a_500_chat_fan_out_leave_every_chat_with_the_digest_and_at_most_one_repeat_per_kill()
    {
        await using var api = await FakeBotApi.StartAsync();
        var db = TestDatabases.Sqlite();
        // Built, not run: the test reads the store through it while the processes send.
        await using var store = await SubscriptionsHarness.StartAsync(api, db);
        await store.SubscribeManyAsync(Chats, firstChat: 20_000, lang: "en");
        var latest = store.Services.GetRequiredService<ReportLibrary>().Current.Latest!;
        var month = latest.Month.ToString();
        var parts = TelegramRenderer.Render(ReportCommands.Digest(latest, Lang.En, "/month", "digest")).Count;
        var settings = new Dictionary<string, string>
        {
            ["Telegram__BotToken"] = api.Token,
            ["Telegram__ApiBaseUrl"] = api.BaseUrl.ToString(),
            ["Telegram__MaxMessagesPerSecond"] = "200",
            ["Digest__Concurrency"] = "1",
            // Far longer than the test: only the check that the holder is dead can explain a takeover.
            ["Digest__ClaimTimeout"] = "00:10:00",
        };
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var confirmedAtKill = new Dictionary<long, int>(); // chat → messages it had when its delivery was recorded as sent
        var clock = Stopwatch.StartNew();

        var kills = 0;
        var finished = false;
        while (!finished)
        {
            var before = api.SentMessages.Count;
            await using var bot = BotHost.Start(settings, db.DataDirectory, args: ["digest", "send"]);
            if (kills < Kills)
            {
                // A random moment: after 1 to 30 more messages, which at this pace is within the first fraction of a second.
                var more = random.Next(1, 31);
                await bot.Within(api.WaitFor(a => a.SentMessages.Count >= before + more || bot.HasExited ? true : (bool?)null, TimeSpan.FromSeconds(90)));
                if (!bot.HasExited)
                {
                    bot.Kill();
                    await bot.WaitForExitAsync(TimeSpan.FromSeconds(10));
                    kills++;
                    await RecordConfirmedAsync(store, api, month, confirmedAtKill);
                    continue;
                }
            }
            Assert.Equal(0, await bot.WaitForExitAsync(TimeSpan.FromSeconds(120)));
            finished = true;
        }

        var outcome = await OutcomeAsync(api, store, month, parts, confirmedAtKill);
        Figures.Print(output, "kill-9",
            $"{kills} × SIGKILL during a {Chats}-chat fan-out (SQLite, seed {seed}): {outcome.Chats}/{Chats} chats with the digest, {outcome.Sent} recorded sent, " +
            $"{outcome.Repeats} repeated message(s) (at most {kills}), {outcome.AfterConfirmation} sent after its confirmation was recorded, {clock.Elapsed.TotalSeconds:0} s");
        AssertOutcome(outcome, kills);
    }

    [SkippableFact]
    public async Task Twenty_kills_of_two_instances_on_PostgreSQL_during_a_500_chat_fan_out_leave_every_chat_with_the_digest()
    {
        await using var api = await FakeBotApi.StartAsync();
        var db = await TestDatabases.PostgresAsync();
        await using var store = await SubscriptionsHarness.StartAsync(api, db);
        await store.SubscribeManyAsync(Chats, firstChat: 40_000, lang: "en");
        var latest = store.Services.GetRequiredService<ReportLibrary>().Current.Latest!;
        var month = latest.Month.ToString();
        var parts = TelegramRenderer.Render(ReportCommands.Digest(latest, Lang.En, "/month", "digest")).Count;
        var settings = Cluster.ClusterBots.Settings(api, db, perSecond: 100, concurrency: 1);
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var confirmedAtKill = new Dictionary<long, int>();
        var clock = Stopwatch.StartNew();
        var instances = new List<BotHost> { BotHost.Start(settings), BotHost.Start(settings) };
        var kills = 0;
        var killedSender = 0;
        try
        {
            foreach (var instance in instances)
                await instance.WaitForLog("started (webhook)", TimeSpan.FromSeconds(90));
            await store.Planner.PlanAsync(null, CancellationToken.None); // both instances' workers find it within a poll

            while (kills < Kills && api.SentMessages.Count < Chats * parts)
            {
                var before = api.SentMessages.Count;
                var more = random.Next(1, 31);
                await instances[0].Within(api.WaitFor(a => a.SentMessages.Count >= Math.Min(before + more, Chats * parts) ? true : (bool?)null, TimeSpan.FromSeconds(90)));
                // Mostly the instance sending (the sender lease's holder), sometimes the other one.
                var sender = await Cluster.ClusterBots.SenderPidAsync(store);
                var victim = instances.FirstOrDefault(i => i.ProcessId == sender && random.Next(4) > 0) ?? instances[random.Next(instances.Count)];
                if (victim.ProcessId == sender)
                    killedSender++;
                victim.Kill();
                await victim.WaitForExitAsync(TimeSpan.FromSeconds(10));
                kills++;
                await RecordConfirmedAsync(store, api, month, confirmedAtKill);
                instances.Remove(victim);
                await victim.DisposeAsync();
                var replacement = BotHost.Start(settings);
                instances.Add(replacement);
            }
            await instances[0].Within(WaitAsync(async () => (await store.Store.CountsAsync(month, CancellationToken.None)).Sent == Chats, TimeSpan.FromSeconds(120)));
        }
        finally
        {
            foreach (var instance in instances)
                await instance.DisposeAsync();
        }

        var outcome = await OutcomeAsync(api, store, month, parts, confirmedAtKill);
        Figures.Print(output, "kill-9-postgres",
            $"{kills} × SIGKILL of 2 instances on PostgreSQL ({killedSender} of the sender) during a {Chats}-chat fan-out (seed {seed}): {outcome.Chats}/{Chats} chats with the digest, " +
            $"{outcome.Sent} recorded sent, {outcome.Repeats} repeated message(s) (at most {kills}), {outcome.AfterConfirmation} sent after its confirmation was recorded, {clock.Elapsed.TotalSeconds:0} s");
        AssertOutcome(outcome, kills);
    }

    /// <summary>What the chats got in the end, against what the store recorded.</summary>
    private sealed record Outcome(int Chats, int Short, int Sent, int Repeats, int AfterConfirmation);

    private static async Task<Outcome> OutcomeAsync(FakeBotApi api, SubscriptionsHarness store, string month, int parts, Dictionary<long, int> confirmedAtKill)
    {
        var perChat = api.SentMessages.GroupBy(m => m.ChatId).ToDictionary(g => g.Key, g => g.Count());
        var counts = await store.Store.CountsAsync(month, CancellationToken.None);
        return new Outcome(perChat.Count, perChat.Values.Count(n => n < parts), counts.Sent, api.SentMessages.Count - Chats * parts,
            confirmedAtKill.Count(c => perChat[c.Key] != c.Value));
    }

    private static void AssertOutcome(Outcome outcome, int kills)
    {
        Assert.Equal(Kills, kills);
        Assert.Equal(Chats, outcome.Chats);
        Assert.True(outcome.Short == 0, $"{outcome.Short} chat(s) lack a part of the digest");
        // One send in flight, so each kill can repeat at most one message (two kills in a row can hit the same chat).
        Assert.InRange(outcome.Repeats, 0, kills);
        Assert.Equal(0, outcome.AfterConfirmation);
        Assert.Equal(Chats, outcome.Sent);
    }

    private static async Task<bool> WaitAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"not done within {timeout.TotalSeconds:0} s");
            await Task.Delay(100);
        }
        return true;
    }

    /// <summary>After a kill: every chat whose delivery the store holds as sent, with how many messages it has now.</summary>
    private static async Task RecordConfirmedAsync(SubscriptionsHarness store, FakeBotApi api, string month, Dictionary<long, int> confirmed)
    {
        await using var connection = await store.Services.GetRequiredService<Database>().OpenAsync(CancellationToken.None);
        var sent = await connection.QueryAsync<string>(
            "SELECT s.chat_id FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id WHERE d.month = @month AND d.status = @status",
            new { month, status = DeliveryStatus.Sent });
        var perChat = api.SentMessages.GroupBy(m => m.ChatId).ToDictionary(g => g.Key, g => g.Count());
        foreach (var chat in sent.Select(id => long.Parse(id, CultureInfo.InvariantCulture)))
            confirmed.TryAdd(chat, perChat.GetValueOrDefault(chat));
    }
}
