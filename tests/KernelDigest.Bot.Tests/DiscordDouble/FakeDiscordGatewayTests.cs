using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace KernelDigest.Bot.Tests.DiscordDouble;

/// <summary>
/// The gateway double (and the REST double's gateway routes) against Discord's documented protocol, driven by a raw
/// <see cref="ClientWebSocket"/> and <see cref="HttpClient"/>, not by the bot's client: what these tests pin down is
/// what any client would meet.
/// </summary>
public sealed class FakeDiscordGatewayTests
{
    private const string UserAgent = "DiscordBot (https://example.invalid, 1.0)";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly HttpClient Http = new();

    /// <summary>A gateway that says 300 ms but does not time clients out, for tests about something else.</summary>
    private static async Task<FakeDiscordGateway> StartAsync()
    {
        var gateway = await FakeDiscordGateway.StartAsync(heartbeatInterval: TimeSpan.FromMilliseconds(300));
        gateway.HeartbeatTolerance = TimeSpan.FromSeconds(60);
        return gateway;
    }

    [Fact]
    public async Task Hello_comes_at_once_with_the_interval_and_null_s_and_t()
    {
        await using var gateway = await StartAsync();
        await using var client = await RawGateway.ConnectAsync(gateway.Url);

        var hello = await client.NextAsync();

        Assert.Equal(10, (int)hello["op"]!);
        Assert.Equal(300, (int)hello["d"]!["heartbeat_interval"]!);
        Assert.True(hello.ContainsKey("s") && hello["s"] is null);
        Assert.True(hello.ContainsKey("t") && hello["t"] is null);
        var connection = Assert.Single(gateway.Connections);
        Assert.Equal(("/", "?v=10&encoding=json", true), (connection.Path, connection.Query, connection.Open));
        Assert.Equal("127.0.0.1", gateway.Url.Host);
    }

    [Fact]
    public async Task A_heartbeat_gets_an_ACK_and_none_while_acks_are_suppressed()
    {
        await using var gateway = await StartAsync();
        await using var client = await RawGateway.ConnectAsync(gateway.Url);
        await client.NextAsync(); // Hello

        await client.HeartbeatAsync(null);
        var ack = await client.NextAsync();
        await client.SendAsync(Identify());
        var ready = await client.NextAsync();
        gateway.SuppressAcks = true;
        await client.HeartbeatAsync(1);
        await gateway.WaitForAsync(g => g.Heartbeats.Count == 2, Patience);
        gateway.PushInteraction(Interaction("1200000000000000001"));
        var next = await client.NextAsync();
        gateway.SuppressAcks = false;
        await client.HeartbeatAsync(2);
        var ackAgain = await client.NextAsync();

        Assert.Equal(11, (int)ack["op"]!);
        Assert.Equal("READY", (string?)ready["t"]);
        // Had the suppressed beat been answered, its ACK would have come before the dispatch pushed after it.
        Assert.Equal((0, 2L), ((int)next["op"]!, (long)next["s"]!));
        Assert.Equal(11, (int)ackAgain["op"]!);
        Assert.Equal([true, false, true], gateway.Heartbeats.Select(h => h.Acknowledged));
        Assert.Equal([null, 1L, 2L], gateway.Heartbeats.Select(h => h.Seq));
    }

    [Fact]
    public async Task Identify_starts_a_session_whose_READY_is_s_1()
    {
        await using var gateway = await StartAsync();
        await using var client = await RawGateway.ConnectAsync(gateway.Url);
        await client.NextAsync();

        await client.SendAsync(Identify(intents: 1 << 9));
        var ready = await client.NextAsync();

        Assert.Equal((0, 1L, "READY"), ((int)ready["op"]!, (long)ready["s"]!, (string?)ready["t"]));
        var d = ready["d"]!;
        Assert.Equal(10, (int)d["v"]!);
        Assert.Equal(gateway.SessionId, (string?)d["session_id"]);
        Assert.False(string.IsNullOrEmpty(gateway.SessionId));
        Assert.Equal(gateway.ResumeUrl.ToString().TrimEnd('/'), (string?)d["resume_gateway_url"]);
        Assert.Equal(FakeDiscordGateway.ResumePath, new Uri((string)d["resume_gateway_url"]!).AbsolutePath);
        Assert.Equal(FakeDiscordApi.DefaultApplicationId, (string?)d["application"]!["id"]);
        Assert.True((bool)d["user"]!["bot"]!);
        Assert.Empty(d["guilds"]!.AsArray());
        var identify = Assert.Single(gateway.Identifies);
        Assert.True(identify.Accepted);
        Assert.Equal(1L << 9, identify.Intents);
        Assert.Equal("linux", (string?)identify.Properties!["os"]);
        Assert.Equal(gateway.SessionId, Assert.Single(gateway.Connections).SessionId);
    }

    [Fact]
    public async Task A_wrong_token_is_closed_4004_on_identify_and_on_resume()
    {
        await using var gateway = await StartAsync();
        await using var identifying = await RawGateway.ConnectAsync(gateway.Url);
        await identifying.NextAsync();
        await using var resuming = await RawGateway.ConnectAsync(gateway.ResumeUrl);
        await resuming.NextAsync();

        await identifying.SendAsync(Identify("Bot " + FakeDiscordApi.DefaultToken)); // the token goes without the "Bot " prefix
        var identifyClose = await identifying.ClosedWithAsync();
        await resuming.SendAsync(Resume("fake-session", 1, token: "not-the-token"));
        var resumeClose = await resuming.ClosedWithAsync();

        Assert.Equal(4004, identifyClose);
        Assert.Equal("Authentication failed", identifying.CloseDescription);
        Assert.Equal(4004, resumeClose);
        Assert.False(Assert.Single(gateway.Identifies).Accepted);
        Assert.Equal(GatewayResumeOutcome.AuthenticationFailed, Assert.Single(gateway.Resumes).Outcome);
        Assert.Equal([4004, 4004], gateway.ClosesSent.Select(c => c.Code));
        Assert.Null(gateway.SessionId);
    }

    [Fact]
    public async Task A_resume_replays_the_dispatches_missed_during_a_drop_in_order_then_RESUMED()
    {
        await using var gateway = await StartAsync();
        await using var first = await RawGateway.ConnectAsync(gateway.Url);
        await first.NextAsync();
        await first.SendAsync(Identify());
        var sessionId = (string)(await first.NextAsync())["d"]!["session_id"]!;
        gateway.PushInteraction(Interaction("1200000000000000001"));
        var seen = await first.NextAsync();

        gateway.Drop();
        await Assert.ThrowsAnyAsync<WebSocketException>(first.ReceiveAsync); // no close frame: the TCP connection is cut
        var missedA = gateway.PushInteraction(Interaction("1200000000000000002"));
        var missedB = gateway.PushInteraction(Interaction("1200000000000000003"));
        await using var second = await RawGateway.ConnectAsync(gateway.ResumeUrl);
        await second.NextAsync();
        await second.SendAsync(Resume(sessionId, (long)seen["s"]!));
        var replayA = await second.NextAsync();
        var replayB = await second.NextAsync();
        var resumed = await second.NextAsync();
        gateway.PushInteraction(Interaction("1200000000000000004"));
        var live = await second.NextAsync();

        Assert.Equal(2L, (long)seen["s"]!);
        Assert.Equal((3L, 4L), (missedA, missedB));
        Assert.Equal(("INTERACTION_CREATE", 3L, "1200000000000000002"), ((string?)replayA["t"], (long)replayA["s"]!, (string?)replayA["d"]!["id"]));
        Assert.Equal(("INTERACTION_CREATE", 4L, "1200000000000000003"), ((string?)replayB["t"], (long)replayB["s"]!, (string?)replayB["d"]!["id"]));
        Assert.Equal(("RESUMED", 5L), ((string?)resumed["t"], (long)resumed["s"]!));
        Assert.Equal((6L, "1200000000000000004"), ((long)live["s"]!, (string?)live["d"]!["id"]));
        var resume = Assert.Single(gateway.Resumes);
        Assert.Equal((GatewayResumeOutcome.Resumed, 2, 2L), (resume.Outcome, resume.Replayed, resume.Seq));
        var connections = gateway.Connections;
        Assert.True(connections[0].Dropped);
        Assert.Equal(FakeDiscordGateway.ResumePath, connections[1].Path);
        Assert.Equal(sessionId, connections[1].SessionId);
        Assert.Single(gateway.Identifies);
    }

    [Fact]
    public async Task A_resume_of_an_unknown_or_ended_session_gets_op_9_false()
    {
        await using var gateway = await StartAsync();
        await using var stranger = await RawGateway.ConnectAsync(gateway.ResumeUrl);
        await stranger.NextAsync();
        await stranger.SendAsync(Resume("no-such-session", 1));
        var unknown = await stranger.NextAsync();

        // Closing with 1000 ends the session (gateway.mdx "Initiating a Disconnect").
        await using var leaving = await RawGateway.ConnectAsync(gateway.Url);
        await leaving.NextAsync();
        await leaving.SendAsync(Identify());
        var sessionId = (string)(await leaving.NextAsync())["d"]!["session_id"]!;
        await leaving.CloseAsync(WebSocketCloseStatus.NormalClosure);
        await gateway.WaitForAsync(g => g.Connections[1].ClientClose == 1000, Patience);
        await using var returning = await RawGateway.ConnectAsync(gateway.ResumeUrl);
        await returning.NextAsync();
        await returning.SendAsync(Resume(sessionId, 1));
        var ended = await returning.NextAsync();

        Assert.Equal((9, false), ((int)unknown["op"]!, (bool)unknown["d"]!));
        Assert.Equal((9, false), ((int)ended["op"]!, (bool)ended["d"]!));
        Assert.All(gateway.Resumes, r => Assert.Equal(GatewayResumeOutcome.InvalidSession, r.Outcome));
        Assert.Null(gateway.PushInteraction(Interaction("1200000000000000009")));
        Assert.Equal(1, gateway.LostDispatches);
    }

    [Fact]
    public async Task Op_7_asks_to_reconnect_and_the_session_resumes_after_a_non_1000_close()
    {
        await using var gateway = await StartAsync();
        await using var first = await RawGateway.ConnectAsync(gateway.Url);
        await first.NextAsync();
        await first.SendAsync(Identify());
        var sessionId = (string)(await first.NextAsync())["d"]!["session_id"]!;

        gateway.SendReconnect();
        var reconnect = await first.NextAsync();
        await first.CloseAsync((WebSocketCloseStatus)4000);
        await using var second = await RawGateway.ConnectAsync(gateway.ResumeUrl);
        await second.NextAsync();
        await second.SendAsync(Resume(sessionId, 1));
        var resumed = await second.NextAsync();

        Assert.Equal((7, true), ((int)reconnect["op"]!, reconnect["d"] is null));
        Assert.Equal("RESUMED", (string?)resumed["t"]);
        Assert.Equal(4000, gateway.Connections[0].ClientClose);
    }

    [Fact]
    public async Task Op_9_from_the_server_tells_whether_the_session_can_be_resumed()
    {
        await using var gateway = await StartAsync();
        await using var client = await RawGateway.ConnectAsync(gateway.Url);
        await client.NextAsync();
        await client.SendAsync(Identify());
        var sessionId = (string)(await client.NextAsync())["d"]!["session_id"]!;

        gateway.SendInvalidSession(resumable: true);
        var resumable = await client.NextAsync();
        var kept = gateway.PushInteraction(Interaction("1200000000000000001"));
        gateway.SendInvalidSession(resumable: false);
        var final = await client.NextAsync();
        await using var again = await RawGateway.ConnectAsync(gateway.ResumeUrl);
        await again.NextAsync();
        await again.SendAsync(Resume(sessionId, 1));
        var refused = await again.NextAsync();

        Assert.Equal((9, true), ((int)resumable["op"]!, (bool)resumable["d"]!));
        Assert.Equal(2L, kept); // stored for a resume, not sent on the invalidated connection
        Assert.Equal((9, false), ((int)final["op"]!, (bool)final["d"]!));
        Assert.Equal((9, false), ((int)refused["op"]!, (bool)refused["d"]!));
    }

    [Fact]
    public async Task A_client_that_stops_beating_is_closed_4000_and_may_resume()
    {
        await using var gateway = await FakeDiscordGateway.StartAsync(heartbeatInterval: TimeSpan.FromMilliseconds(300));
        // A tolerance well above a beat's round trip on a loaded machine, and beats for longer than interval + tolerance.
        gateway.HeartbeatTolerance = TimeSpan.FromMilliseconds(1500);
        await using var client = await RawGateway.ConnectAsync(gateway.Url);
        await client.NextAsync();
        await client.SendAsync(Identify());
        var sessionId = (string)(await client.NextAsync())["d"]!["session_id"]!;

        // Beating keeps it open for longer than interval + tolerance (each beat answered on a live connection).
        for (var beat = 0; beat < 12; beat++)
        {
            await client.HeartbeatAsync(1);
            Assert.Equal(11, (int)(await client.NextAsync())["op"]!);
            await Task.Delay(200);
        }
        var close = await client.ClosedWithAsync();
        await using var again = await RawGateway.ConnectAsync(gateway.ResumeUrl);
        await again.NextAsync();
        await again.SendAsync(Resume(sessionId, 1));
        var resumed = await again.NextAsync();

        Assert.Equal(4000, close);
        var sent = Assert.Single(gateway.ClosesSent);
        Assert.Equal((1, 4000), (sent.ConnectionId, sent.Code));
        Assert.Equal(12, gateway.Heartbeats.Count(h => h.ConnectionId == 1));
        Assert.Equal("RESUMED", (string?)resumed["t"]);
    }

    [Fact]
    public async Task The_121st_payload_within_a_minute_is_closed_4008()
    {
        await using var gateway = await StartAsync();
        await using var client = await RawGateway.ConnectAsync(gateway.Url);
        await client.NextAsync();

        for (var i = 0; i < FakeDiscordGateway.MaxEventsPerMinute; i++)
            await client.HeartbeatAsync(null);
        await gateway.WaitForAsync(g => g.Received.Count == 120, Patience);
        var closedEarly = gateway.ClosesSent.Count;
        await client.HeartbeatAsync(null);
        var close = await client.ClosedWithAsync();

        Assert.Equal(0, closedEarly);
        Assert.Equal(4008, close);
        Assert.Equal(121, Assert.Single(gateway.Connections).PayloadsReceived);
        Assert.Equal(120, gateway.Sent.Count(p => p.Op == 11));
    }

    [Fact]
    public async Task Malformed_payloads_and_protocol_violations_get_their_documented_close_codes()
    {
        await using var gateway = await StartAsync();

        async Task<int> CloseCodeAfter(params string[] payloads)
        {
            await using var client = await RawGateway.ConnectAsync(gateway.Url);
            await client.NextAsync();
            foreach (var payload in payloads)
                await client.SendTextAsync(payload);
            return await client.ClosedWithAsync();
        }

        var identify = Identify().ToJsonString();
        var oversized = Identify();
        oversized["d"]!["properties"]!["os"] = new string('x', FakeDiscordGateway.MaxPayloadBytes);

        Assert.Equal(4002, await CloseCodeAfter(oversized.ToJsonString()));
        Assert.Equal(4002, await CloseCodeAfter("{not json"));
        Assert.Equal(4001, await CloseCodeAfter("""{"op":99,"d":null}"""));
        Assert.Equal(4001, await CloseCodeAfter("""{"op":11,"d":null}"""));
        Assert.Equal(4003, await CloseCodeAfter("""{"op":3,"d":{"since":null,"activities":[],"status":"online","afk":false}}"""));
        Assert.Equal(4005, await CloseCodeAfter(identify, identify));
        Assert.Equal(4013, await CloseCodeAfter(Identify(intents: 1L << 40).ToJsonString()));
        Assert.Equal(4014, await CloseCodeAfter(Identify(intents: 1L << 15).ToJsonString())); // MESSAGE_CONTENT, not enabled
        Assert.Equal(4001, await CloseCodeAfter("""{"op":2,"d":{"token":"ODc4.fake.discord-bot-token","intents":0}}"""));
        Assert.Equal([4002, 4002, 4001, 4001, 4003, 4005, 4013, 4014, 4001], gateway.ClosesSent.Select(c => c.Code));
    }

    [Fact]
    public async Task A_resume_past_the_last_sequence_is_closed_4007_and_ends_the_session()
    {
        await using var gateway = await StartAsync();
        await using var first = await RawGateway.ConnectAsync(gateway.Url);
        await first.NextAsync();
        await first.SendAsync(Identify());
        var sessionId = (string)(await first.NextAsync())["d"]!["session_id"]!;
        gateway.Drop();

        await using var second = await RawGateway.ConnectAsync(gateway.ResumeUrl);
        await second.NextAsync();
        await second.SendAsync(Resume(sessionId, 7));
        var close = await second.ClosedWithAsync();
        await using var third = await RawGateway.ConnectAsync(gateway.ResumeUrl);
        await third.NextAsync();
        await third.SendAsync(Resume(sessionId, 1));
        var after = await third.NextAsync();

        Assert.Equal(4007, close);
        Assert.Equal((9, false), ((int)after["op"]!, (bool)after["d"]!));
        Assert.Equal([GatewayResumeOutcome.InvalidSeq, GatewayResumeOutcome.InvalidSession], gateway.Resumes.Select(r => r.Outcome));
    }

    [Fact]
    public async Task The_query_string_must_ask_for_v10_and_json_and_the_path_for_a_WebSocket()
    {
        await using var gateway = await StartAsync();

        await using var v9 = await RawGateway.ConnectAsync(gateway.Url, "?v=9&encoding=json");
        var v9Close = await v9.ClosedWithAsync();
        await using var etf = await RawGateway.ConnectAsync(gateway.Url, "?v=10&encoding=etf");
        var etfClose = await etf.ClosedWithAsync();
        var plainHttp = await Http.GetAsync(new Uri("http://127.0.0.1:" + gateway.Url.Port + "/?v=10&encoding=json"));
        var elsewhere = await Http.GetAsync(new Uri("http://127.0.0.1:" + gateway.Url.Port + "/api/v10/gateway"));

        Assert.Equal(4012, v9Close);
        Assert.Equal(4002, etfClose);
        Assert.Equal(HttpStatusCode.BadRequest, plainHttp.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
        Assert.DoesNotContain(gateway.Sent, p => p.Op == 10); // refused before Hello
    }

    [Fact]
    public async Task A_second_identify_within_5_seconds_is_counted_and_optionally_refused_with_op_9()
    {
        await using var gateway = await StartAsync();
        await using var first = await RawGateway.ConnectAsync(gateway.Url);
        await first.NextAsync();
        await first.SendAsync(Identify());
        var firstReady = await first.NextAsync();
        await using var second = await RawGateway.ConnectAsync(gateway.Url);
        await second.NextAsync();
        await second.SendAsync(Identify());
        var secondReady = await second.NextAsync();

        gateway.InvalidSessionOnIdentifyTooSoon = true;
        await using var third = await RawGateway.ConnectAsync(gateway.Url);
        await third.NextAsync();
        await third.SendAsync(Identify());
        var refused = await third.NextAsync();

        Assert.Equal(("READY", "READY"), ((string?)firstReady["t"], (string?)secondReady["t"]));
        Assert.Equal((9, false), ((int)refused["op"]!, (bool)refused["d"]!));
        Assert.Equal(2, gateway.IdentifyTooSoon);
        Assert.Equal([false, true, true], gateway.Identifies.Select(i => i.TooSoon));
        Assert.Equal([true, true, false], gateway.Identifies.Select(i => i.Accepted));
    }

    [Fact]
    public async Task A_heartbeat_that_does_not_carry_the_last_sequence_sent_is_counted_wrong()
    {
        await using var gateway = await StartAsync();
        gateway.HeartbeatSeqGrace = TimeSpan.Zero;
        await using var client = await RawGateway.ConnectAsync(gateway.Url);
        await client.NextAsync();
        await client.SendAsync(Identify());
        await client.NextAsync(); // READY, s = 1

        await client.HeartbeatAsync(1);
        await client.NextAsync();
        await client.HeartbeatAsync(null); // forgot READY's sequence number
        await client.NextAsync();
        await client.HeartbeatAsync(5); // a sequence number never sent
        await client.NextAsync();

        Assert.Equal([false, true, true], gateway.Heartbeats.Select(h => h.Wrong));
        Assert.Equal(2, gateway.WrongHeartbeats);
        Assert.All(gateway.Heartbeats, h => Assert.Equal(1L, h.LastSent));
    }

    [Fact]
    public async Task Gateway_bot_names_the_gateway_and_counts_session_starts_down()
    {
        await using var api = await FakeDiscordApi.StartAsync();
        await using var gateway = await StartAsync();
        api.UseGateway(gateway);
        api.SessionStartRemaining = 5;

        var unauthorized = await Http.SendAsync(Request(HttpMethod.Get, api, "/gateway/bot", auth: false));
        var before = await JsonOf(await Http.SendAsync(Request(HttpMethod.Get, api, "/gateway/bot")));
        await using (var client = await RawGateway.ConnectAsync(new Uri((string)before["url"]!)))
        {
            await client.NextAsync();
            await client.SendAsync(Identify());
            await client.NextAsync();
        }
        await WaitUntilAsync(() => api.SessionStartRemaining == 4);
        var after = await JsonOf(await Http.SendAsync(Request(HttpMethod.Get, api, "/gateway/bot")));

        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal(gateway.Url.ToString().TrimEnd('/'), (string?)before["url"]);
        Assert.Equal(1, (int)before["shards"]!);
        var limit = before["session_start_limit"]!;
        Assert.Equal((1000, 5, 86_400_000L, 1), ((int)limit["total"]!, (int)limit["remaining"]!, (long)limit["reset_after"]!, (int)limit["max_concurrency"]!));
        Assert.Equal(4, (int)after["session_start_limit"]!["remaining"]!);
    }

    [Fact]
    public async Task Applications_me_reports_the_interactions_endpoint_url()
    {
        await using var api = await FakeDiscordApi.StartAsync();

        var unset = await JsonOf(await Http.SendAsync(Request(HttpMethod.Get, api, "/applications/@me")));
        api.InteractionsEndpointUrl = "https://bot.example/discord/interactions";
        var set = await JsonOf(await Http.SendAsync(Request(HttpMethod.Get, api, "/applications/@me")));

        Assert.Equal(FakeDiscordApi.DefaultApplicationId, (string?)unset["id"]);
        Assert.True(unset.ContainsKey("interactions_endpoint_url") && unset["interactions_endpoint_url"] is null);
        Assert.Equal("https://bot.example/discord/interactions", (string?)set["interactions_endpoint_url"]);
    }

    [Fact]
    public async Task A_callback_is_204_once_then_400_40060_and_opens_the_webhook()
    {
        await using var api = await FakeDiscordApi.StartAsync();
        const string Id = "1200000000000000001";
        const string Token = "aW50ZXJhY3Rpb24gateway_1";
        api.OpenInteraction(Token, Id);
        var message = new JsonObject { ["content"] = "done", ["allowed_mentions"] = new JsonObject { ["parse"] = new JsonArray() } };

        var webhookTooEarly = await Http.SendAsync(Request(HttpMethod.Patch, api, $"/webhooks/{api.ApplicationId}/{Token}/messages/@original", message, auth: false));
        var wrongId = await Http.SendAsync(Request(HttpMethod.Post, api, $"/interactions/1200000000000000002/{Token}/callback", Deferred(), auth: false));
        var unknownToken = await Http.SendAsync(Request(HttpMethod.Post, api, $"/interactions/{Id}/never-opened/callback", Deferred(), auth: false));
        var first = await Http.SendAsync(Request(HttpMethod.Post, api, $"/interactions/{Id}/{Token}/callback", Deferred(), auth: false));
        var second = await Http.SendAsync(Request(HttpMethod.Post, api, $"/interactions/{Id}/{Token}/callback", Deferred(), auth: false));
        var edit = await Http.SendAsync(Request(HttpMethod.Patch, api, $"/webhooks/{api.ApplicationId}/{Token}/messages/@original", message, auth: false));

        Assert.Equal((HttpStatusCode.NotFound, 10015), (webhookTooEarly.StatusCode, (int)(await JsonOf(webhookTooEarly))["code"]!));
        Assert.Equal((HttpStatusCode.NotFound, 10062), (wrongId.StatusCode, (int)(await JsonOf(wrongId))["code"]!));
        Assert.Equal((HttpStatusCode.NotFound, 10062), (unknownToken.StatusCode, (int)(await JsonOf(unknownToken))["code"]!));
        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.Empty(await first.Content.ReadAsByteArrayAsync());
        var again = await JsonOf(second);
        Assert.Equal((HttpStatusCode.BadRequest, 40060), (second.StatusCode, (int)again["code"]!));
        Assert.Equal("Interaction has already been acknowledged.", (string?)again["message"]);
        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        var callback = Assert.Single(api.Callbacks);
        Assert.Equal((Id, Token, 5, 64L), (callback.InteractionId, callback.Token, callback.Type, (long)callback.Data!["flags"]!));
        Assert.Equal("done", (string?)Assert.Single(api.WebhookMessages).Body["content"]);
    }

    [Fact]
    public async Task A_callback_is_not_held_by_the_global_limit_and_not_after_its_deadline()
    {
        await using var api = await FakeDiscordApi.StartAsync();
        api.OpenInteraction("token-on-time", "1200000000000000001");
        api.RateLimitNext(TimeSpan.FromSeconds(30), global: true, route: "GET /gateway/bot");

        var limited = await Http.SendAsync(Request(HttpMethod.Get, api, "/gateway/bot"));
        var callback = await Http.SendAsync(Request(HttpMethod.Post, api, "/interactions/1200000000000000001/token-on-time/callback", Message("hi"), auth: false));
        var stillLimited = await Http.SendAsync(Request(HttpMethod.Get, api, "/gateway/bot"));
        api.CallbackDeadline = TimeSpan.Zero;
        api.OpenInteraction("token-late", "1200000000000000002");
        var late = await Http.SendAsync(Request(HttpMethod.Post, api, "/interactions/1200000000000000002/token-late/callback", Message("hi"), auth: false));
        api.CallbackDeadline = TimeSpan.FromSeconds(3);
        api.OpenInteraction("token-empty", "1200000000000000003");
        var empty = await Http.SendAsync(Request(HttpMethod.Post, api, "/interactions/1200000000000000003/token-empty/callback", new JsonObject { ["type"] = 4, ["data"] = new JsonObject() }, auth: false));

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, callback.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, stillLimited.StatusCode);
        Assert.Equal((HttpStatusCode.NotFound, 10062), (late.StatusCode, (int)(await JsonOf(late))["code"]!));
        Assert.Equal((HttpStatusCode.BadRequest, 50006), (empty.StatusCode, (int)(await JsonOf(empty))["code"]!));
        Assert.Equal("hi", (string?)Assert.Single(api.Callbacks).Data!["content"]);
    }

    private static JsonObject Identify(string token = FakeDiscordApi.DefaultToken, long intents = 0) => new()
    {
        ["op"] = 2,
        ["d"] = new JsonObject
        {
            ["token"] = token,
            ["intents"] = intents,
            ["properties"] = new JsonObject { ["os"] = "linux", ["browser"] = "raw-test", ["device"] = "raw-test" },
        },
    };

    private static JsonObject Resume(string sessionId, long seq, string token = FakeDiscordApi.DefaultToken) => new()
    {
        ["op"] = 6,
        ["d"] = new JsonObject { ["token"] = token, ["session_id"] = sessionId, ["seq"] = seq },
    };

    private static JsonObject Interaction(string id) => new()
    {
        ["id"] = id,
        ["application_id"] = FakeDiscordApi.DefaultApplicationId,
        ["type"] = 2,
        ["token"] = "aW50ZXJhY3Rpb24" + id,
        ["version"] = 1,
        ["data"] = new JsonObject { ["id"] = "1100000000000000001", ["name"] = "patch", ["type"] = 1 },
        ["channel_id"] = "222222222222222222",
        ["user"] = new JsonObject { ["id"] = "333333333333333333", ["username"] = "tester" },
        ["locale"] = "en-US",
    };

    private static JsonObject Deferred() => new() { ["type"] = 5, ["data"] = new JsonObject { ["flags"] = 64 } };

    private static JsonObject Message(string content) => new()
    {
        ["type"] = 4,
        ["data"] = new JsonObject { ["content"] = content, ["allowed_mentions"] = new JsonObject { ["parse"] = new JsonArray() } },
    };

    private static HttpRequestMessage Request(HttpMethod method, FakeDiscordApi api, string path, JsonObject? body = null, bool auth = true)
    {
        var request = new HttpRequestMessage(method, new Uri(api.BaseUrl + path));
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        if (auth)
            request.Headers.TryAddWithoutValidation("Authorization", "Bot " + api.Token);
        if (body is not null)
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        return request;
    }

    private static async Task<JsonObject> JsonOf(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("condition not met");
            await Task.Delay(10);
        }
    }

    /// <summary>A bare WebSocket client: sends what a test writes and hands back each payload as it comes.</summary>
    private sealed class RawGateway : IAsyncDisposable
    {
        private readonly ClientWebSocket _socket = new();

        public string? CloseDescription => _socket.CloseStatusDescription;

        public static async Task<RawGateway> ConnectAsync(Uri url, string query = "?v=10&encoding=json")
        {
            var client = new RawGateway();
            await client._socket.ConnectAsync(new Uri(url.ToString().TrimEnd('/') + "/" + query), CancellationToken.None);
            return client;
        }

        public Task SendAsync(JsonObject payload) => SendTextAsync(payload.ToJsonString());

        public async Task SendTextAsync(string text) =>
            await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

        public Task HeartbeatAsync(long? seq) => SendAsync(new JsonObject { ["op"] = 1, ["d"] = seq });

        /// <summary>The next payload, or null when the server closed the connection.</summary>
        public async Task<JsonObject?> ReceiveAsync()
        {
            using var timeout = new CancellationTokenSource(Patience);
            var buffer = new byte[16 * 1024];
            using var message = new MemoryStream();
            ValueWebSocketReceiveResult result;
            do
            {
                result = await _socket.ReceiveAsync(buffer.AsMemory(), timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                    return null;
                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);
            return JsonNode.Parse(message.ToArray())!.AsObject();
        }

        public async Task<JsonObject> NextAsync() =>
            await ReceiveAsync() ?? throw new InvalidOperationException($"the gateway closed the connection: {_socket.CloseStatus} {_socket.CloseStatusDescription}");

        /// <summary>Reads past any payloads to the server's close frame and returns its code.</summary>
        public async Task<int> ClosedWithAsync()
        {
            while (await ReceiveAsync() is not null)
            {
            }
            return (int)_socket.CloseStatus!.Value;
        }

        public async Task CloseAsync(WebSocketCloseStatus status)
        {
            using var timeout = new CancellationTokenSource(Patience);
            await _socket.CloseAsync(status, "test", timeout.Token);
        }

        public ValueTask DisposeAsync()
        {
            _socket.Abort();
            _socket.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
