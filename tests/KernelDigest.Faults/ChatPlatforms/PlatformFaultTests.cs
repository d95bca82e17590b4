using System.Diagnostics;
using System.Globalization;
using KernelDigest.Bot.Tests.Subscriptions;
using KernelDigest.Bot.Tests.TelegramDouble;

namespace KernelDigest.Faults.ChatPlatforms;

/// <summary>
/// Issue 16 §3.3, platform faults: a digest fan-out through the real Telegram sender (TelegramBotClient, pacing,
/// retries, the outbox on a SQLite file) against the Bot API double while it answers a run of 5xx, HTML error pages
/// from a proxy, 429s with a long retry_after, connection resets, and answers slower than the bot's request timeout.
/// Every chat ends with the digest, no part twice, and what left the bot never went over its limit.
/// </summary>
public sealed class PlatformFaultTests(ITestOutputHelper output)
{
    private const int Chats = 60;
    private const int Limit = 30;
    private const int ServerErrors = 40; // the "minute of 5xx", scaled to the first forty sends
    private const int HtmlPages = 10;
    private const int TooManyRequests = 3;
    private const int RetryAfterSeconds = 4;
    private const int Resets = 10;
    private const int SlowAnswers = 5; // held 3 s by the double, past the bot's 2 s request timeout

    [Fact]
    public async Task A_fan_out_through_5xx_html_429_and_resets_delivers_every_digest_once_within_the_limit()
    {
        await using var api = await FakeBotApi.StartAsync();
        // The double's own flood control, 10% above the bot's limit (the margin arrivals bunch by on a shared machine):
        // any 429 beyond the injected ones means the bot went over.
        api.RateLimit(perSecondGlobal: Limit * 11 / 10);
        await using var h = await SubscriptionsHarness.StartAsync(api, TestDatabases.Sqlite(), new()
        {
            ["Telegram:MaxMessagesPerSecond"] = Limit.ToString(CultureInfo.InvariantCulture),
            ["Telegram:RequestTimeout"] = "00:00:02",
            ["Telegram:PollTimeoutSeconds"] = "0",
        });
        await h.SubscribeManyAsync(Chats, firstChat: 5001, lang: "en");
        api.FailNext("sendMessage", 500, "Internal Server Error", times: ServerErrors);
        api.FailNextWithHtml("sendMessage", 502, times: HtmlPages);
        api.FailNext("sendMessage", 429, $"Too Many Requests: retry after {RetryAfterSeconds}", retryAfter: RetryAfterSeconds, times: TooManyRequests);
        api.ResetNext("sendMessage", times: Resets);
        // Held before the API acts on them: the bot gives up at its timeout, and what it gave up on was not sent.
        api.DelayNext("sendMessage", TimeSpan.FromSeconds(3), times: SlowAnswers);

        var clock = Stopwatch.StartNew();
        var owed = await h.Planner.PlanAsync(null, CancellationToken.None);
        var counts = await h.Dispatcher.DrainAsync(CancellationToken.None);
        var took = clock.Elapsed;

        var parts = DeliveryTests.Parts(h, "en");
        var perChat = api.SentMessages.GroupBy(m => m.ChatId).ToDictionary(g => g.Key, g => g.ToList());
        var duplicates = perChat.Values.Sum(list => list.Count - list.Select(m => m.Text).Distinct(StringComparer.Ordinal).Count());
        var requests = api.RequestsFor("sendMessage");
        var busiest = Pacing.BusiestSecond(h.Departures);
        var afterRetryAfter = WaitAfter429(requests);
        var abandoned = h.Departures.Count - requests.Count; // left the bot, never answered: given up at the timeout

        Figures.Print(output, "platform",
            $"{Chats} chats × {parts} part(s) through {ServerErrors}×500, {HtmlPages}×502 HTML, {TooManyRequests}×429 retry_after {RetryAfterSeconds} s, {Resets} resets, {SlowAnswers} answers 3 s late for a 2 s timeout: " +
            $"{counts.Sent}/{Chats} delivered in {took.TotalSeconds:0.0} s, {abandoned} requests given up at the timeout and retried, {perChat.Values.Sum(l => l.Count)} messages, {duplicates} duplicates, " +
            $"{api.TooManyRequestsSent - TooManyRequests} 429s beyond the injected, busiest second {busiest} (limit {Limit}), " +
            $"shortest wait after a 429 {afterRetryAfter.TotalSeconds:0.0} s");

        Assert.Equal(Chats, owed);
        Assert.Equal(Chats, counts.Sent);
        Assert.Equal(Chats, perChat.Count);
        Assert.All(perChat.Values, list => Assert.Equal(parts, list.Count));
        Assert.Equal(0, duplicates);
        Assert.Equal(TooManyRequests, api.TooManyRequestsSent); // the injected ones only: the bot never went over
        Assert.True(busiest <= Limit, $"busiest second: {busiest} requests left the bot (limit {Limit})");
        Assert.True(afterRetryAfter >= TimeSpan.FromSeconds(RetryAfterSeconds), $"a chat was retried {afterRetryAfter.TotalSeconds:0.0} s after a 429 that asked for {RetryAfterSeconds} s");
        Assert.Equal(SlowAnswers, abandoned);
        Assert.Equal(ServerErrors + HtmlPages + TooManyRequests + Resets, requests.Count(r => r.StatusCode is >= 400 or 0));
    }

    /// <summary>The shortest time between a 429 and the next attempt for the same chat.</summary>
    private static TimeSpan WaitAfter429(IReadOnlyList<RecordedRequest> requests)
    {
        var shortest = TimeSpan.MaxValue;
        foreach (var refused in requests.Where(r => r.StatusCode == 429))
        {
            var chat = refused.Body.GetProperty("chat_id").ToString();
            var next = requests.FirstOrDefault(r => r.Time > refused.Time && r.Body.GetProperty("chat_id").ToString() == chat);
            if (next is not null && next.Time - refused.Time < shortest)
                shortest = next.Time - refused.Time;
        }
        return shortest;
    }
}
