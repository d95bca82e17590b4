using KernelDigest.Bot.Tests.TelegramDouble;

namespace KernelDigest.Bot.Tests.Subscriptions;

/// <summary>A process killed in the middle of a fan-out: the next one on the same store delivers the rest.</summary>
public sealed class CrashRecoveryTests
{
    [Fact]
    public async Task A_fan_out_killed_midway_is_finished_by_the_next_process_with_at_most_the_message_in_flight_repeated()
    {
        await using var api = await FakeBotApi.StartAsync();
        var db = TestDatabases.Sqlite();
        await using (var seed = await SubscriptionsHarness.StartAsync(api, db))
            await seed.SubscribeManyAsync(120, firstChat: 9000, lang: "en");
        var settings = new Dictionary<string, string>
        {
            ["Telegram__BotToken"] = api.Token,
            ["Telegram__ApiBaseUrl"] = api.BaseUrl.ToString(),
            ["Telegram__MaxMessagesPerSecond"] = "40",
            ["Digest__Concurrency"] = "1",
            ["Digest__ClaimTimeout"] = "00:00:02",
        };

        await using var first = BotHost.Start(settings, db.DataDirectory, args: ["digest", "send"]);
        await first.Within(api.WaitFor(x => x.SentMessages.Count >= 60 ? true : (bool?)null, TimeSpan.FromSeconds(60)));
        first.Kill();
        await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
        var sentBeforeKill = api.SentMessages.Count;
        Assert.True(sentBeforeKill < 240, "the first process finished before it could be killed");

        await Task.Delay(TimeSpan.FromSeconds(2.5)); // its claims expire
        await using var second = BotHost.Start(settings, db.DataDirectory, args: ["digest", "send"]);
        Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(90)));

        var perChat = api.SentMessages.GroupBy(m => m.ChatId).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(120, perChat.Count);
        var parts = perChat.Values.Min();
        var repeated = perChat.Values.Sum() - 120 * parts;
        Assert.InRange(repeated, 0, 1); // only the one message in flight at the kill may be sent twice
        Assert.Contains("sent", second.Stdout, StringComparison.Ordinal);
    }
}
