using System.Diagnostics;
using System.Globalization;
using KernelDigest.Bot.Subscriptions;
using KernelDigest.Bot.Tests;
using KernelDigest.Bot.Tests.Subscriptions;
using KernelDigest.Bot.Tests.TelegramDouble;
using KernelDigest.Core.Commands;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace KernelDigest.Faults.Storage;

/// <summary>
/// Issue 16 §3.2, PostgreSQL going away in the middle of a fan-out: the real bot (in process, cluster-mode storage,
/// Quartz's clustered store) sends the month's digest to 300 Telegram chats; a third of the way through, its database
/// drops every connection and refuses new ones for three seconds, as a restart does, then comes back. The server is
/// shared with other tests, so it is the bot's own database that is taken away (its connections terminated, new ones
/// refused), not the whole server restarted. Delivery resumes by itself; every chat ends with the digest.
/// </summary>
public sealed class PostgresOutageTests(ITestOutputHelper output)
{
    private const int Chats = 300;
    private const int Concurrency = 4;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(3);

    [SkippableFact]
    public async Task A_database_restart_mid_fan_out_loses_nothing_and_delivery_resumes()
    {
        var storage = await TestDatabases.PostgresAsync();
        var database = new NpgsqlConnectionStringBuilder(storage.ConnectionString).Database!;
        await using var api = await FakeBotApi.StartAsync();
        await using var bot = await InProcessBot.StartAsync(new Dictionary<string, string>
        {
            ["Telegram__BotToken"] = api.Token,
            ["Telegram__ApiBaseUrl"] = api.BaseUrl.ToString(),
            ["Telegram__PollTimeoutSeconds"] = "1",
            ["Telegram__MaxMessagesPerSecond"] = "60",
            ["Storage__Provider"] = "postgres",
            ["Storage__ConnectionString"] = storage.ConnectionString!,
            ["Storage__ProbeInterval"] = "00:00:00.500",
            ["Digest__Concurrency"] = Concurrency.ToString(CultureInfo.InvariantCulture),
            ["Digest__PollInterval"] = "00:00:01",
        });
        await bot.WaitForLog("started (polling)", TimeSpan.FromSeconds(60));
        var store = bot.Services.GetRequiredService<SubscriptionStore>();
        for (var i = 0; i < Chats; i++)
            await store.SubscribeAsync(new ChatAddress(Platform.Telegram, (30_000 + i).ToString(CultureInfo.InvariantCulture)), "en", "", "test", CancellationToken.None);

        var clock = Stopwatch.StartNew();
        await bot.Services.GetRequiredService<DigestPlanner>().PlanAsync(null, CancellationToken.None);
        await bot.Within(api.WaitFor(a => a.SentMessages.Count >= Chats / 3 ? true : (bool?)null, TimeSpan.FromSeconds(60)));

        var atOutage = api.SentMessages.Count;
        await TakeAwayAsync(database, allow: false);
        var during = Stopwatch.StartNew();
        var unready = await ReadyStatusAsync(bot, until: s => s == System.Net.HttpStatusCode.ServiceUnavailable);
        var remaining = Outage - during.Elapsed;
        if (remaining > TimeSpan.Zero)
            await Task.Delay(remaining); // the outage itself: the database stays away this long, whatever the bot does
        var sentDuringOutage = api.SentMessages.Count - atOutage;
        await TakeAwayAsync(database, allow: true);
        var back = Stopwatch.StartNew();

        await bot.Within(api.WaitFor(a => a.SentMessages.Select(m => m.ChatId).Distinct().Count() >= Chats ? true : (bool?)null, TimeSpan.FromSeconds(90)));
        var resumedIn = back.Elapsed;
        var counts = await bot.Within(WaitAllSentAsync(store));
        var repeats = api.SentMessages.Count - Chats;

        Figures.Print(output, "postgres-outage",
            $"{Chats} chats, database away {Outage.TotalSeconds:0} s after {atOutage} sends: /health/ready 503 within {unready.TotalSeconds:0.0} s, " +
            $"{sentDuringOutage} sent while it was away, all {Chats} had the digest {resumedIn.TotalSeconds:0.0} s after it came back, " +
            $"{counts.Sent} recorded sent, {repeats} repeated (at most {Concurrency}, the sends in flight), {clock.Elapsed.TotalSeconds:0} s in all");

        Assert.Equal(Chats, api.SentMessages.Select(m => m.ChatId).Distinct().Count());
        Assert.InRange(repeats, 0, Concurrency);
        Assert.Equal(Chats, counts.Sent);
    }

    private static async Task TakeAwayAsync(string database, bool allow)
    {
        await using var admin = new NpgsqlConnection(TestDatabases.RequirePostgres());
        await admin.OpenAsync();
        await using (var command = new NpgsqlCommand($"ALTER DATABASE {database} ALLOW_CONNECTIONS {(allow ? "true" : "false")}", admin))
            await command.ExecuteNonQueryAsync();
        if (allow)
            return;
        await using var terminate = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @db AND pid <> pg_backend_pid()", admin);
        terminate.Parameters.AddWithValue("db", database);
        await terminate.ExecuteNonQueryAsync();
    }

    private static async Task<TimeSpan> ReadyStatusAsync(InProcessBot bot, Func<System.Net.HttpStatusCode, bool> until)
    {
        using var http = new HttpClient { BaseAddress = bot.BaseUrl };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await http.GetAsync("/health/ready");
            if (until(response.StatusCode))
                return clock.Elapsed;
            if (clock.Elapsed > TimeSpan.FromSeconds(20))
                throw new TimeoutException($"/health/ready stayed {(int)response.StatusCode} while the database was away\n--- bot log ---\n{bot.Logs}");
            await Task.Delay(100);
        }
    }

    private static async Task<DeliveryCounts> WaitAllSentAsync(SubscriptionStore store)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var counts = await store.CountsAsync(null, CancellationToken.None);
            if (counts.Sent >= Chats || clock.Elapsed > TimeSpan.FromSeconds(90))
                return counts;
            await Task.Delay(100);
        }
    }
}
