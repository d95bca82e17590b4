using System.Net;
using KernelDigest.Bot.Tests.TelegramDouble;

namespace KernelDigest.Bot.Tests.Operations;

/// <summary>What the people who run the bot see: health, metrics, configuration errors, and logs without secrets.</summary>
/// <remarks>
/// Alone, because the metrics are process-wide (one static <c>Meter</c>): with other apps running in this process, a
/// search or update of theirs could stand in for one this test made.
/// </remarks>
[Collection(RunsAlone.Name)]
public sealed class OperationsTests
{
    private static Dictionary<string, string> Telegram(FakeBotApi api, string secret)
    {
        var settings = TelegramChat.TelegramPollingTests.WebhookSettings(api, secret);
        settings["Logging__LogLevel__Default"] = "Trace"; // everything that could be logged, is
        return settings;
    }

    [Fact]
    public async Task Health_and_metrics_endpoints_report_what_the_bot_does_and_no_secret_reaches_the_logs()
    {
        const string secret = "ops-secret-4f2a9c";
        await using var api = await FakeBotApi.StartAsync(token: "987654:SuperSecretTokenValue_abcdef");
        await using var bot = await InProcessBot.StartAsync(Telegram(api, secret));
        await bot.WaitForLog("started (webhook)", TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = bot.BaseUrl };

        using (var live = await http.GetAsync("/health/live"))
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using (var ready = await http.GetAsync("/health/ready"))
        {
            var text = await ready.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Contains("reports: Healthy — 1 report(s), 15 entries", text, StringComparison.Ordinal);
            Assert.Contains("store: Healthy — Sqlite", text, StringComparison.Ordinal);
            Assert.Contains("platforms: Healthy — telegram authenticated", text, StringComparison.Ordinal);
        }

        // Traffic: a search that hits, one that misses, a forged webhook call.
        var hook = new Uri(bot.BaseUrl, "/telegram/webhook");
        (await api.PostUpdateToWebhook(hook, api.MessageUpdate(1, "/patch TDP MMU"), secret)).Dispose();
        (await api.PostUpdateToWebhook(hook, api.MessageUpdate(1, "/patch xqzzyv"), secret)).Dispose();
        (await api.PostUpdateToWebhook(hook, api.MessageUpdate(1, "/help"), "forged")).Dispose();

        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("kerneldigest_handled_total{", metrics, StringComparison.Ordinal);
        Assert.Contains("command=\"/patch\"", metrics, StringComparison.Ordinal);
        Assert.Contains("kerneldigest_searches_total{", metrics, StringComparison.Ordinal);
        Assert.Contains("result=\"hit\"", metrics, StringComparison.Ordinal);
        Assert.Contains("result=\"miss\"", metrics, StringComparison.Ordinal);
        Assert.Contains("kerneldigest_answer_duration_seconds_bucket", metrics, StringComparison.Ordinal);
        Assert.Contains("kerneldigest_report_reloads_total", metrics, StringComparison.Ordinal);
        Assert.Contains("kerneldigest_outbox_depth", metrics, StringComparison.Ordinal);

        await bot.StopAsync();
        var logs = bot.Logs;
        Assert.Contains("Telegram update", logs, StringComparison.Ordinal); // one line per handled update
        Assert.DoesNotContain("SuperSecretTokenValue", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
        Assert.DoesNotContain("forged", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ready_is_unhealthy_when_no_report_loads_and_says_why()
    {
        var empty = Directory.CreateTempSubdirectory("kd-noreports-").FullName;
        await using var bot = await InProcessBot.StartAsync(new Dictionary<string, string> { ["Reports__Directory"] = empty });
        using var http = new HttpClient { BaseAddress = bot.BaseUrl };

        using var ready = await http.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains($"reports: Unhealthy — no reports loaded from {empty}", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Storage__Provider", "postgres", "Storage__ConnectionString")]
    [InlineData("Digest__Cron", "every month", "Digest__Cron")]
    [InlineData("Digest__TimeZone", "Mars/Olympus", "Digest__TimeZone")]
    [InlineData("Telegram__Mode", "webhook", "Telegram__WebhookUrl")]
    public async Task A_wrong_setting_stops_start_up_with_a_message_naming_its_environment_variable(string key, string value, string named)
    {
        var settings = new Dictionary<string, string> { [key] = value };
        if (key.StartsWith("Telegram", StringComparison.Ordinal))
            settings["Telegram__BotToken"] = "123:TEST";

        var output = await InProcessBot.StartupFailureAsync(settings);

        Assert.Contains(named, output, StringComparison.Ordinal);
    }
}
