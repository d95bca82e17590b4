using System.Net;
using System.Text.Json.Nodes;
using KernelDigest.Bot.Tests.DiscordDouble;

namespace KernelDigest.Bot.Tests.DiscordChat;

/// <summary>
/// Discord in gateway mode: the real app (no public key, so no HTTP endpoint) connects to the gateway double, and
/// interactions pushed there are answered through the REST double's callback endpoint, as Discord documents.
/// </summary>
public sealed class DiscordGatewayTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <param name="gatewayToken">The token the gateway double accepts.</param>
    /// <param name="heartbeatMs">
    /// The interval the double asks for. A late ACK is a zombie to the bot, so tests that do not test zombies give a
    /// loaded machine room (at 400 ms a busy CI box made one of them drop a connection the test meant to drop itself).
    /// </param>
    private static async Task<(FakeDiscordApi Api, FakeDiscordGateway Gateway)> DoublesAsync(string? gatewayToken = null, int heartbeatMs = 2000)
    {
        var gateway = await FakeDiscordGateway.StartAsync(token: gatewayToken ?? FakeDiscordApi.DefaultToken, heartbeatInterval: TimeSpan.FromMilliseconds(heartbeatMs));
        var api = await FakeDiscordApi.StartAsync();
        api.UseGateway(gateway);
        return (api, gateway);
    }

    private static Task<InProcessBot> StartBotAsync(FakeDiscordApi api, string? data = null, Dictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Discord:ApplicationId"] = api.ApplicationId,
            ["Discord:BotToken"] = api.Token,
            ["Discord:ApiBaseUrl"] = api.BaseUrl.ToString(),
            ["Reports:Directory"] = Path.Combine(BotProcess.RepoRoot, "config", "reports"),
        };
        foreach (var (k, v) in extra ?? [])
            settings[k] = v;
        return InProcessBot.StartAsync(settings, data);
    }

    /// <summary>Pushes a slash command over the gateway, its interaction opened at the REST double as Discord would.</summary>
    private static string Push(FakeDiscordApi api, FakeDiscordGateway gateway, string query)
    {
        var interaction = Interactions.Command("patch", "en-US", ("query", query));
        var id = (string)interaction["id"]!;
        api.OpenInteraction((string)interaction["token"]!, id);
        gateway.PushInteraction(interaction);
        return id;
    }

    private static async Task<RecordedCallback> AnsweredAsync(FakeDiscordApi api, string id, RunningBot bot)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (api.Callbacks.FirstOrDefault(c => c.InteractionId == id) is { } callback)
                return callback;
            await Task.Delay(20);
        }
        throw new TimeoutException($"interaction {id} was not answered\n--- bot log ---\n{bot.Logs}");
    }

    /// <summary>/health/ready's text once it satisfies <paramref name="done"/>.</summary>
    private static async Task<string> ReadinessAsync(InProcessBot bot, Func<string, bool> done)
    {
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            using var response = await http.GetAsync(new Uri(bot.BaseUrl, "/health/ready"));
            var text = await response.Content.ReadAsStringAsync();
            if (done(text))
                return text;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"readiness never showed the expected state; last:\n{text}");
            await Task.Delay(50);
        }
    }

    private static int CallbackAttempts(FakeDiscordApi api, string id) =>
        api.Requests.Count(r => r.Method == "POST" && r.Path.Contains($"/interactions/{id}/", StringComparison.Ordinal));

    [Fact]
    public async Task A_slash_command_over_the_gateway_is_answered_through_the_callback_and_no_http_endpoint_is_served()
    {
        var (api, gateway) = await DoublesAsync();
        await using var _ = api;
        await using var __ = gateway;
        await using var bot = await StartBotAsync(api);
        await gateway.WaitForAsync(g => g.SessionConnected, Patience);

        var id = Push(api, gateway, "TDP MMU");
        var callback = await AnsweredAsync(api, id, bot);

        Assert.Equal(4, callback.Type);
        Assert.Equal("Search: TDP MMU", (string?)callback.Data!["embeds"]![0]!["title"]);
        var identify = Assert.Single(gateway.Identifies);
        Assert.Equal(api.Token, identify.Token);
        Assert.Equal(0, identify.Intents);
        Assert.Equal(0, gateway.WrongHeartbeats);
        using var http = new HttpClient();
        using var endpoint = await http.PostAsync(new Uri(bot.BaseUrl, "/discord/interactions"), new StringContent("{}"));
        Assert.Equal(HttpStatusCode.NotFound, endpoint.StatusCode); // no public key, no endpoint
        var ready = await http.GetStringAsync(new Uri(bot.BaseUrl, "/health/ready"));
        Assert.Contains("discord-gateway: Healthy — Discord gateway connected", ready, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dropped_connection_is_resumed_and_what_was_sent_meanwhile_is_answered_once()
    {
        var (api, gateway) = await DoublesAsync();
        await using var _ = api;
        await using var __ = gateway;
        await using var bot = await StartBotAsync(api);
        await gateway.WaitForAsync(g => g.SessionConnected, Patience);
        var before = Push(api, gateway, "blk-iocost");
        await AnsweredAsync(api, before, bot);

        gateway.Drop();
        // Pushed while the bot has no connection: the double keeps them for the resume to replay.
        var gap = new[] { Push(api, gateway, "TDP MMU"), Push(api, gateway, "fchmodat2") };
        foreach (var id in gap)
            await AnsweredAsync(api, id, bot);
        var after = Push(api, gateway, "bus lock");
        await AnsweredAsync(api, after, bot);

        var resume = Assert.Single(gateway.Resumes);
        Assert.Equal(GatewayResumeOutcome.Resumed, resume.Outcome);
        Assert.True(resume.Replayed >= 2, $"replayed {resume.Replayed}");
        Assert.Single(gateway.Identifies); // the session went on: no new one
        Assert.Equal(FakeDiscordGateway.ResumePath, gateway.Connections[^1].Path);
        foreach (var id in gap.Append(before).Append(after))
            Assert.Equal(1, CallbackAttempts(api, id));
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri(bot.BaseUrl, "/metrics"));
        Assert.Matches(@"kerneldigest_discord_gateway_resumes_total(\{[^}]*\})? [1-9]", metrics);
    }

    [Fact]
    public async Task A_zombie_connection_is_detected_closed_with_a_resumable_code_and_replaced()
    {
        var (api, gateway) = await DoublesAsync(heartbeatMs: 400);
        await using var _ = api;
        await using var __ = gateway;
        await using var bot = await StartBotAsync(api);
        await gateway.WaitForAsync(g => g.SessionConnected, Patience);

        gateway.SuppressAcks = true; // beats arrive, no ACK comes back: the connection is a zombie to the bot
        await gateway.WaitForAsync(g => g.Connections.Count >= 2, Patience);
        gateway.SuppressAcks = false;
        await gateway.WaitForAsync(g => g.Resumes.Any(r => r.Outcome == GatewayResumeOutcome.Resumed), Patience);
        var id = Push(api, gateway, "TDP MMU");
        await AnsweredAsync(api, id, bot);

        var zombie = gateway.Connections[0];
        Assert.Null(zombie.CloseSent); // the bot closed it, not the double
        Assert.True(zombie.ClientClose is not (1000 or 1001), $"closed with {zombie.ClientClose}: 1000 and 1001 would end the session");
        Assert.Contains("no heartbeat ACK", bot.Logs, StringComparison.Ordinal);
        Assert.Single(gateway.Identifies);
    }

    [Fact]
    public async Task Close_4004_stops_the_gateway_naming_the_token_setting_and_readiness_says_why()
    {
        // The gateway refuses the token the REST API accepts (a token reset, say): authentication failed, close 4004.
        var (api, gateway) = await DoublesAsync(gatewayToken: "a-different-token");
        await using var _ = api;
        await using var __ = gateway;
        await using var bot = await StartBotAsync(api);

        await bot.WaitForLog("Discord gateway stopped", Patience);
        using var http = new HttpClient();
        using var ready = await http.GetAsync(new Uri(bot.BaseUrl, "/health/ready"));
        var text = await ready.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("discord-gateway: Unhealthy — Discord gateway stopped", text, StringComparison.Ordinal);
        Assert.Contains("Discord:BotToken", text, StringComparison.Ordinal);
        Assert.Contains(gateway.ClosesSent, c => c.Code == 4004);
        Assert.Single(gateway.Connections); // not retried
        Assert.DoesNotContain(api.Token, bot.Logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconnect_resumes_and_an_invalid_session_identifies_anew()
    {
        var (api, gateway) = await DoublesAsync();
        await using var _ = api;
        await using var __ = gateway;
        await using var bot = await StartBotAsync(api);
        await gateway.WaitForAsync(g => g.SessionConnected, Patience);

        gateway.SendReconnect(); // op 7
        await gateway.WaitForAsync(g => g.Resumes.Any(r => r.Outcome == GatewayResumeOutcome.Resumed) && g.SessionConnected, Patience);
        gateway.SendInvalidSession(resumable: false); // op 9, d: false
        await gateway.WaitForAsync(g => g.Identifies.Count == 2 && g.SessionConnected, Patience);
        var id = Push(api, gateway, "TDP MMU");
        await AnsweredAsync(api, id, bot);

        Assert.Equal(0, gateway.IdentifyTooSoon);
        Assert.True(gateway.Identifies[1].At - gateway.Identifies[0].At >= TimeSpan.FromSeconds(1), "an identify after op 9 waits 1-5 s");
        Assert.All(gateway.Identifies, i => Assert.True(i.Accepted));
    }

    [Fact]
    public async Task Two_instances_hold_one_connection_answer_once_and_the_second_takes_over_when_the_first_stops()
    {
        var (api, gateway) = await DoublesAsync();
        await using var _ = api;
        await using var __ = gateway;
        var data = Directory.CreateTempSubdirectory("kd-gateway-").FullName; // one database for both instances
        var lease = new Dictionary<string, string> { ["Discord:GatewayLeaseSeconds"] = "3" };
        var first = await StartBotAsync(api, data, lease);
        await gateway.WaitForAsync(g => g.SessionConnected, Patience);
        await using var second = await StartBotAsync(api, data, lease);
        var standby = await ReadinessAsync(second, text => text.Contains("discord-gateway: Healthy — Discord gateway standby", StringComparison.Ordinal));

        var id = Push(api, gateway, "TDP MMU");
        await AnsweredAsync(api, id, first);
        var before = gateway.Connections.Count;

        await first.DisposeAsync(); // a clean stop gives the lease up
        await gateway.WaitForAsync(g => g.Identifies.Count == 2 && g.SessionConnected, Patience);
        var later = Push(api, gateway, "fchmodat2");
        await AnsweredAsync(api, later, second);

        Assert.Equal(1, before); // while both ran, one connection
        Assert.Contains("another instance holds the gateway", standby, StringComparison.Ordinal);
        Assert.Equal(1, CallbackAttempts(api, id));
        Assert.Equal(1, CallbackAttempts(api, later));
    }
}
