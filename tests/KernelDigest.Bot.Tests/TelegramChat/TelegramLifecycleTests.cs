using System.Net;
using System.Text.Json;
using KernelDigest.Bot.Tests.TelegramDouble;

namespace KernelDigest.Bot.Tests.TelegramChat;

/// <summary>Restarts, refused tokens and webhook mode: each test starts its own bot.</summary>
public sealed class TelegramLifecycleTests
{
    [Fact]
    public async Task The_update_offset_survives_a_restart_so_nothing_is_lost_or_repeated()
    {
        await using var api = await FakeBotApi.StartAsync();
        var data = Directory.CreateTempSubdirectory("kd-offset-").FullName;

        var first = await TelegramPollingTests.StartBotAsync(api, data);
        await first.WaitForLog("started (polling)", TimeSpan.FromSeconds(60));
        api.EnqueueMessage(1, "/patch SEV-ES", languageCode: "en");
        await first.Within(api.WaitForSentMessage(m => m.ChatId == 1, TimeSpan.FromSeconds(60)));
        await first.StopAsync();

        api.EnqueueMessage(2, "/patch ZoneFS", languageCode: "en"); // arrives while the bot is down
        await using var second = await TelegramPollingTests.StartBotAsync(api, data);
        await api.WaitForSentMessage(m => m.ChatId == 2, TimeSpan.FromSeconds(60));
        // Updates come in order and the second bot has confirmed update 2: a repeat of update 1 would have been
        // answered before it.
        await TelegramPollingTests.WaitUntilEveryUpdateIsHandled(api);

        Assert.Single(api.SentMessages, m => m.ChatId == 1);
        Assert.Single(api.SentMessages, m => m.ChatId == 2);
        Assert.True(File.Exists(Path.Combine(data, "kerneldigest.db")), "the offset lives in the bot's database");
    }

    [Fact]
    public async Task A_token_Telegram_refuses_stops_start_up_with_a_message_that_says_so()
    {
        await using var api = await FakeBotApi.StartAsync(token: "123:RIGHT");

        var output = await InProcessBot.StartupFailureAsync(new Dictionary<string, string>
        {
            ["Telegram__BotToken"] = "123:WRONG",
            ["Telegram__ApiBaseUrl"] = api.BaseUrl.ToString(),
        });

        Assert.Contains("Telegram refused the bot token", output, StringComparison.Ordinal);
        Assert.DoesNotContain("123:WRONG", output, StringComparison.Ordinal);
        Assert.Equal(401, Assert.Single(api.RequestsFor("getMe")).StatusCode); // it asked once, and stopped at the answer
    }

    /// <summary>A process of its own: what is tested is that the app exits with a failure code, as systemd sees it.</summary>
    [Fact]
    public async Task A_malformed_token_is_refused_by_configuration_validation_naming_the_variable()
    {
        await using var bot = BotHost.Start(new Dictionary<string, string> { ["Telegram__BotToken"] = "not-a-token" });

        var code = await bot.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, code);
        Assert.Contains("Telegram__BotToken", bot.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_webhook_is_set_only_once_the_bot_listens_so_telegrams_first_posts_are_taken()
    {
        // Telegram begins posting to a webhook as soon as it is set. A process of its own, so its port is known
        // before it starts and the double can try it at that moment.
        await using var api = await FakeBotApi.StartAsync();
        var where = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        HttpStatusCode? atSet = null;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        api.OnWebhookSet = async () =>
        {
            try
            {
                using var live = await http.GetAsync(new Uri(await where.Task, "/health/live"));
                atSet = live.StatusCode;
            }
            catch (HttpRequestException)
            {
                atSet = null; // nothing listening
            }
        };
        await using var bot = BotHost.Start(TelegramPollingTests.WebhookSettings(api, "s3cret-Token_for-tests"));
        where.SetResult(bot.BaseUrl);
        await bot.WaitForLog("started (webhook)", TimeSpan.FromSeconds(60));

        Assert.Single(api.WebhookCalls, c => c.Method == "setWebhook");
        Assert.Equal(HttpStatusCode.OK, atSet);
    }

    [Fact]
    public async Task Webhook_mode_checks_the_secret_and_answers_in_the_response_body()
    {
        const string secret = "s3cret-Token_for-tests";
        await using var api = await FakeBotApi.StartAsync();
        await using var bot = await InProcessBot.StartAsync(TelegramPollingTests.WebhookSettings(api, secret));
        await bot.WaitForLog("started (webhook)", TimeSpan.FromSeconds(60));

        var hook = api.WebhookCalls.Last(c => c.Method.Equals("setWebhook", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("https://bot.example.org/telegram/webhook", hook.Url);
        Assert.Equal(secret, hook.SecretToken);

        var endpoint = new Uri(bot.BaseUrl, "/telegram/webhook");
        var update = api.MessageUpdate(31, "/patch blk-iocost", languageCode: "en");
        update["update_id"] = 777_001L; // one id for every delivery of it below, as Telegram's own retries carry

        using (var missing = await api.PostUpdateToWebhook(endpoint, update, secret: null))
            Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        using (var wrong = await api.PostUpdateToWebhook(endpoint, update, secret: secret + "x"))
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        using var right = await api.PostUpdateToWebhook(endpoint, update, secret);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        using var body = JsonDocument.Parse(await right.Content.ReadAsStringAsync());
        Assert.Equal("sendMessage", body.RootElement.GetProperty("method").GetString());
        Assert.Equal(31, body.RootElement.GetProperty("chat_id").GetInt64());
        Assert.Contains("blk-iocost", body.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);

        // Telegram delivers an update again when it thinks the first delivery failed: it is answered once.
        using (var again = await api.PostUpdateToWebhook(endpoint, update, secret))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal("", await again.Content.ReadAsStringAsync());
        }
        Assert.Single(api.SentMessages, m => m.ChatId == 31);
        await bot.WaitForLog("came again; it was answered the first time");

        using (var malformed = await api.PostUpdateToWebhook(endpoint, new { update_id = "x", message = 5 }, secret))
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);

        await bot.WaitForLog("wrong secret token");
        Assert.DoesNotContain(secret, bot.Logs, StringComparison.Ordinal);
    }
}
