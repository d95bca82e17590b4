using Dapper;
using KernelDigest.Bot.Storage;
using KernelDigest.Bot.Subscriptions;
using KernelDigest.Bot.TelegramChat;
using KernelDigest.Bot.Tests.TelegramDouble;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;
using Microsoft.Extensions.DependencyInjection;

namespace KernelDigest.Bot.Tests.Subscriptions;

/// <summary>
/// A process killed in the middle of a fan-out: the next one on the same store delivers the rest at once, since the
/// dead process's claims name a process of this host that is no longer running. Real processes, because what is
/// tested is a kill -9, which no code of the app sees coming.
/// </summary>
public sealed class CrashRecoveryTests
{
    private const int Chats = 120;
    // Far longer than the test: only the check that the holder is dead can explain a takeover.
    private static readonly TimeSpan ClaimTimeout = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task A_fan_out_killed_midway_is_finished_by_the_next_process_with_at_most_the_message_in_flight_repeated()
    {
        await using var api = await FakeBotApi.StartAsync();
        var db = TestDatabases.Sqlite();
        // Built, not run: the test reads the store through it while the processes do the sending.
        await using var store = await SubscriptionsHarness.StartAsync(api, db);
        await store.SubscribeManyAsync(Chats, firstChat: 9000, lang: "en");
        var latest = store.Services.GetRequiredService<ReportLibrary>().Current.Latest!;
        var total = Chats * TelegramRenderer.Render(ReportCommands.Digest(latest, Lang.En, "/month", "digest")).Count;
        var settings = new Dictionary<string, string>
        {
            ["Telegram__BotToken"] = api.Token,
            ["Telegram__ApiBaseUrl"] = api.BaseUrl.ToString(),
            ["Telegram__MaxMessagesPerSecond"] = "40",
            ["Digest__Concurrency"] = "1",
            ["Digest__ClaimTimeout"] = ClaimTimeout.ToString(),
        };

        // Killed a quarter of the way through: at 40 messages a second, the kill has a second and a half to land
        // before the first process could be three quarters done.
        await using var first = BotHost.Start(settings, db.DataDirectory, args: ["digest", "send"]);
        await first.Within(api.WaitFor(x => x.SentMessages.Count >= total / 4 ? true : (bool?)null, TimeSpan.FromSeconds(60)));
        first.Kill();
        await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
        var sentBeforeKill = api.SentMessages.Count;
        var atKill = await store.Store.CountsAsync(latest.Month.ToString(), CancellationToken.None);

        Assert.InRange(sentBeforeKill, total / 4, total * 3 / 4); // mid fan-out, well short of the end
        Assert.InRange(atKill.Sent, 1, Chats * 3 / 4);
        Assert.Equal(Chats - atKill.Sent, atKill.Pending + atKill.Sending);

        Assert.True(atKill.Sending > 0, "the kill left deliveries claimed");
        await using var second = BotHost.Start(settings, db.DataDirectory, args: ["digest", "send"]);
        Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(90)));
        Assert.Contains("no longer running", second.Logs, StringComparison.Ordinal);

        var perChat = api.SentMessages.GroupBy(m => m.ChatId).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Chats, perChat.Count);
        Assert.InRange(api.SentMessages.Count - total, 0, 1); // only the one message in flight at the kill may be sent twice
        Assert.Equal(Chats, (await store.Store.CountsAsync(latest.Month.ToString(), CancellationToken.None)).Sent);
        Assert.Contains($"sent {Chats - atKill.Sent},", second.Stdout, StringComparison.Ordinal);
    }

}
