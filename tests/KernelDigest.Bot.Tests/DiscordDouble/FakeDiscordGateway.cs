using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KernelDigest.Bot.Tests.DiscordDouble;

/// <summary>
/// An in-process fake of Discord's gateway (v10, JSON) for tests: Kestrel on <c>127.0.0.1</c> with a random port and
/// ASP.NET Core WebSockets. It follows the documented protocol (platforms.md "1.x Gateway"; discord-api-docs
/// <c>events/gateway.mdx</c>, <c>events/gateway-events.mdx</c>, <c>topics/opcodes-and-status-codes.mdx</c>), not what
/// our client happens to do:
/// <list type="bullet">
/// <item>connections at <c>/?v=10&amp;encoding=json</c> (<see cref="Url"/>) and at <see cref="ResumeUrl"/>, the
/// <c>resume_gateway_url</c> READY names; another version is closed 4012, another encoding or a compression 4002;</item>
/// <item>op 10 Hello at once; op 1 Heartbeat answered with op 11 (unless <see cref="SuppressAcks"/>); a connection that
/// does not beat within the interval plus <see cref="HeartbeatTolerance"/> is closed 4000;</item>
/// <item>op 2 Identify starts a session (READY, <c>s</c> = 1); op 6 Resume replays the dispatches after <c>seq</c>, in
/// order, then RESUMED, or answers op 9 <c>false</c> for a session it does not know;</item>
/// <item>the documented refusals: 4004 wrong token, 4001 unknown opcode or malformed payload, 4002 undecodable or over
/// 4,096 bytes, 4003 a payload before identifying, 4005 identifying twice, 4007 a <c>seq</c> never sent, 4008 more
/// than 120 payloads in 60 s, 4013/4014 invalid or privileged intents;</item>
/// <item>scripting: <see cref="PushInteraction"/>, <see cref="SendReconnect"/>, <see cref="SendInvalidSession"/>,
/// <see cref="RequestHeartbeat"/>, <see cref="Close"/>, <see cref="Drop"/>.</item>
/// </list>
/// Everything is recorded (connections, payloads both ways, identifies, resumes, heartbeats, closes). Identifies closer
/// than 5 s / <see cref="MaxConcurrency"/> are counted in <see cref="IdentifyTooSoon"/>; Discord answers them with op 9
/// (on with <see cref="InvalidSessionOnIdentifyTooSoon"/>). Time is the system clock: heartbeats are real traffic.
/// </summary>
public sealed class FakeDiscordGateway : IAsyncDisposable
{
    /// <summary>The path of <see cref="ResumeUrl"/>: Discord's resume host differs from the first one, so a test can tell them apart.</summary>
    public const string ResumePath = "/resume";

    public const int MaxPayloadBytes = 4096;
    public const int MaxEventsPerMinute = 120;

    /// <summary>What Discord sends in Hello today; tests pass a short interval instead.</summary>
    public static readonly TimeSpan DiscordHeartbeatInterval = TimeSpan.FromMilliseconds(41_250);

    private static readonly TimeSpan IdentifyWindow = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RateWindow = TimeSpan.FromMinutes(1);

    /// <summary>How long a close the double began waits for the client's close frame before the TCP connection is cut.</summary>
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    // The intents of gateway.mdx "List of Intents" (bits 0-16, 20, 21, 24, 25); GUILD_MEMBERS, GUILD_PRESENCES and
    // MESSAGE_CONTENT are privileged and need a switch in the Developer Portal.
    private const long DefinedIntents = ((1L << 17) - 1) | (1L << 20) | (1L << 21) | (1L << 24) | (1L << 25);
    private const long PrivilegedIntents = (1L << 1) | (1L << 8) | (1L << 15);

    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly List<Connection> _connections = [];
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly List<GatewayPayloadRecord> _received = [];
    private readonly List<GatewayPayloadRecord> _sent = [];
    private readonly List<GatewayIdentifyRecord> _identifies = [];
    private readonly List<GatewayResumeRecord> _resumes = [];
    private readonly List<GatewayCloseRecord> _closes = [];
    private readonly List<GatewayHeartbeatRecord> _heartbeats = [];
    private readonly List<DateTimeOffset> _identifyTimes = [];
    private Session? _current;
    private int _nextConnection;
    private int _identifyTooSoon;
    private int _lostDispatches;
    private volatile bool _suppressAcks;

    public FakeDiscordGateway(string token = FakeDiscordApi.DefaultToken, string applicationId = FakeDiscordApi.DefaultApplicationId, TimeSpan? heartbeatInterval = null)
    {
        Token = token;
        ApplicationId = applicationId;
        HeartbeatInterval = heartbeatInterval ?? DiscordHeartbeatInterval;
        // No WebSocket-level pings: the gateway keeps connections alive with its own heartbeats, and only those.
        (_app, var address) = LoopbackServer.Start(HandleAsync, app => app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero }));
        Url = new Uri($"ws://{address.Host}:{address.Port}");
        ResumeUrl = new Uri($"ws://{address.Host}:{address.Port}{ResumePath}");
    }

    public static Task<FakeDiscordGateway> StartAsync(string token = FakeDiscordApi.DefaultToken, string applicationId = FakeDiscordApi.DefaultApplicationId,
        TimeSpan? heartbeatInterval = null) =>
        Task.Run(() => new FakeDiscordGateway(token, applicationId, heartbeatInterval));

    /// <summary>e.g. <c>ws://127.0.0.1:41234/</c>: what <c>GET /gateway/bot</c> answers as <c>url</c> (see <see cref="FakeDiscordApi.UseGateway"/>).</summary>
    public Uri Url { get; }

    /// <summary>The <c>resume_gateway_url</c> of every READY: the same server, at <see cref="ResumePath"/>.</summary>
    public Uri ResumeUrl { get; }

    /// <summary>The bot token Identify and Resume must carry (without the <c>Bot </c> prefix).</summary>
    public string Token { get; }

    public string ApplicationId { get; }

    /// <summary>The bot user's id in READY (Discord's bot user shares the application's id).</summary>
    public string BotUserId => ApplicationId;

    /// <summary>What Hello gives to connections opened from now on.</summary>
    public TimeSpan HeartbeatInterval { get; set; }

    /// <summary>
    /// How late a heartbeat may be before the connection is closed (4000). Discord says its interval already holds a
    /// tolerance for latency and does not give it; two seconds keeps a busy test machine from tripping it.
    /// </summary>
    public TimeSpan HeartbeatTolerance { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A heartbeat may lag this far behind the dispatches sent before it is counted <see cref="GatewayHeartbeatRecord.Wrong"/>.</summary>
    public TimeSpan HeartbeatSeqGrace { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>While on, op 1 gets no op 11: the client should see a zombie connection, close it (not 1000/1001) and resume.</summary>
    public bool SuppressAcks
    {
        get => _suppressAcks;
        set => _suppressAcks = value;
    }

    /// <summary><c>session_start_limit.max_concurrency</c>: identifies allowed per 5 s.</summary>
    public int MaxConcurrency { get; set; } = 1;

    /// <summary>
    /// Answer an identify over the concurrency limit as Discord documents (op 9, <c>d: false</c>) instead of only
    /// counting it in <see cref="IdentifyTooSoon"/>.
    /// </summary>
    public bool InvalidSessionOnIdentifyTooSoon { get; set; }

    /// <summary>Privileged intents switched on in the "Developer Portal"; identifying with others closes 4014.</summary>
    public long AllowedPrivilegedIntents { get; set; }

    /// <summary>
    /// How long a session outlives its last connection. Discord says "a few minutes" and gives no number; a resume
    /// after this gets op 9 <c>false</c>.
    /// </summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Identifies sent while <see cref="MaxConcurrency"/> others had been in the last 5 s.</summary>
    public int IdentifyTooSoon => Volatile.Read(ref _identifyTooSoon);

    /// <summary>Dispatches pushed after their session had ended: Discord delivers them nowhere.</summary>
    public int LostDispatches => Volatile.Read(ref _lostDispatches);

    /// <summary>Raised (outside the double's lock) each time an identify starts a session: <c>session_start_limit.remaining</c> drops.</summary>
    public event EventHandler? SessionStarted;

    /// <summary>The session dispatches go to: the one the last accepted identify started.</summary>
    public string? SessionId { get { lock (_gate) return _current?.Id; } }

    /// <summary>The sequence number of the last dispatch of the current session (READY is 1).</summary>
    public long LastSequence { get { lock (_gate) return _current?.Seq ?? 0; } }

    /// <summary>Whether the current session has a connection that dispatches reach now.</summary>
    public bool SessionConnected { get { lock (_gate) return _current?.Live is { Closing: false }; } }

    public IReadOnlyList<GatewayConnectionRecord> Connections { get { lock (_gate) return [.. _connections.Select(c => c.ToRecord())]; } }

    /// <summary>Every payload the clients sent, in arrival order.</summary>
    public IReadOnlyList<GatewayPayloadRecord> Received { get { lock (_gate) return [.. _received]; } }

    /// <summary>Every payload the double wrote to a socket, in order (a dispatch stored during a gap appears when replayed).</summary>
    public IReadOnlyList<GatewayPayloadRecord> Sent { get { lock (_gate) return [.. _sent]; } }

    public IReadOnlyList<GatewayIdentifyRecord> Identifies { get { lock (_gate) return [.. _identifies]; } }

    public IReadOnlyList<GatewayResumeRecord> Resumes { get { lock (_gate) return [.. _resumes]; } }

    /// <summary>Close frames the double sent, with their codes.</summary>
    public IReadOnlyList<GatewayCloseRecord> ClosesSent { get { lock (_gate) return [.. _closes]; } }

    public IReadOnlyList<GatewayHeartbeatRecord> Heartbeats { get { lock (_gate) return [.. _heartbeats]; } }

    /// <summary>Heartbeats whose <c>d</c> was not the last sequence number sent (see <see cref="GatewayHeartbeatRecord.Wrong"/>).</summary>
    public int WrongHeartbeats { get { lock (_gate) return _heartbeats.Count(h => h.Wrong); } }

    /// <summary>Payloads received on one connection.</summary>
    public IReadOnlyList<GatewayPayloadRecord> ReceivedOn(int connectionId) => [.. Received.Where(p => p.ConnectionId == connectionId)];

    /// <summary>
    /// Sends an <c>INTERACTION_CREATE</c> dispatch on the current session and returns its sequence number. Without a
    /// live connection the dispatch is kept for a Resume to replay: that is how a test makes "events during a gap".
    /// Returns null when the session has ended (Discord delivers the event nowhere).
    /// </summary>
    /// <exception cref="InvalidOperationException">No session was ever identified: wait for READY first.</exception>
    public long? PushInteraction(JsonObject interaction)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        return PushDispatch("INTERACTION_CREATE", interaction.DeepClone());
    }

    /// <summary>Sends any dispatch (op 0, <paramref name="type"/> as <c>t</c>) on the current session; see <see cref="PushInteraction"/>.</summary>
    public long? PushDispatch(string type, JsonNode? data)
    {
        lock (_gate)
        {
            var session = _current ?? throw new InvalidOperationException("No gateway session yet: wait until the client has identified (READY) before pushing events.");
            if (session.Ended)
            {
                _lostDispatches++;
                return null;
            }
            return Dispatch(session, type, data);
        }
    }

    /// <summary>Op 7 Reconnect on the newest open connection: the client should reconnect and resume.</summary>
    public void SendReconnect()
    {
        lock (_gate)
            Enqueue(CurrentConnection(), Payload(7, null));
    }

    /// <summary>
    /// Op 9 Invalid Session on the newest open connection. Not resumable: the session ends (a resume gets op 9 again,
    /// pushed events are lost). Resumable: the session stays, and events wait for the resume.
    /// </summary>
    public void SendInvalidSession(bool resumable)
    {
        lock (_gate)
        {
            var connection = CurrentConnection();
            Enqueue(connection, Payload(9, JsonValue.Create(resumable)));
            if (connection.Session is { } session)
            {
                Detach(connection);
                connection.Authenticated = false;
                if (!resumable)
                    session.Ended = true;
            }
        }
    }

    /// <summary>Op 1 from the server on the newest open connection: Discord asks for a heartbeat now.</summary>
    public void RequestHeartbeat()
    {
        lock (_gate)
            Enqueue(CurrentConnection(), Payload(1, null));
    }

    /// <summary>
    /// Closes the newest open connection with a close frame. Codes that end a session by the docs (4003, 4004, 4007,
    /// 4009, 4010-4014) end it here too; others leave it to be resumed.
    /// </summary>
    public void Close(int code, string reason)
    {
        lock (_gate)
            CloseConnection(CurrentConnection(), code, reason);
    }

    /// <summary>Cuts the newest open connection's TCP connection without a close frame; the session can be resumed.</summary>
    public void Drop()
    {
        Connection connection;
        lock (_gate)
        {
            connection = CurrentConnection();
            connection.Closing = true;
            connection.Dropped = true;
            Detach(connection);
        }
        connection.Abort();
    }

    /// <summary>Waits (polling) until <paramref name="condition"/> holds, or throws <see cref="TimeoutException"/> describing what happened.</summary>
    public async Task WaitForAsync(Func<FakeDiscordGateway, bool> condition, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var clock = Stopwatch.StartNew();
        while (!condition(this))
        {
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"FakeDiscordGateway: condition not met within {timeout.TotalSeconds:0.###} s. {Describe()}");
            await Task.Delay(10);
        }
    }

    /// <summary>What happened lately, for failure messages.</summary>
    public string Describe()
    {
        lock (_gate)
        {
            var connections = string.Join("; ", _connections.TakeLast(5).Select(c =>
                $"#{c.Id} {c.Path}{c.Query} session={c.Session?.Id ?? "-"} open={c.Open} closeSent={c.CloseSent?.ToString(CultureInfo.InvariantCulture) ?? "-"} clientClose={c.ClientClose?.ToString(CultureInfo.InvariantCulture) ?? "-"} dropped={c.Dropped}"));
            var received = string.Join(" ", _received.TakeLast(12).Select(p => $"#{p.ConnectionId}:op{p.Op}"));
            var sent = string.Join(" ", _sent.TakeLast(12).Select(p => $"#{p.ConnectionId}:op{p.Op}{(p.T is null ? "" : "/" + p.T)}{(p.S is null ? "" : "/s" + p.S)}"));
            return $"Connections: {connections}. Received: {received}. Sent: {sent}.";
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = (context.Request.Path.Value ?? "").TrimEnd('/');
        path = path.Length == 0 ? "/" : path;
        if (path is not ("/" or ResumePath))
        {
            context.Response.StatusCode = 404;
            return;
        }
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsync("The gateway speaks WebSocket only.");
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var now = _time.GetUtcNow();
        Connection connection;
        lock (_gate)
        {
            connection = new Connection(++_nextConnection, path, context.Request.QueryString.Value ?? "", now, socket, context)
            {
                Interval = HeartbeatInterval,
                LastBeat = now,
            };
            _connections.Add(connection);
        }
        var writing = WriteAsync(connection);
        lock (_gate)
        {
            if (Refusal(context.Request.Query) is { } refusal)
                CloseConnection(connection, refusal.Code, refusal.Reason);
            else
                Enqueue(connection, Payload(10, new JsonObject { ["heartbeat_interval"] = (long)connection.Interval.TotalMilliseconds }));
        }
        var watching = WatchHeartbeatsAsync(connection);
        using var _ = connection;
        try
        {
            await ReadAsync(connection);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Dropped by the client or by Drop(): no close frame; the session stays resumable.
        }
        finally
        {
            lock (_gate)
            {
                connection.Open = false;
                connection.Closing = true;
                Detach(connection);
            }
            connection.Outbox.Writer.TryComplete();
            await connection.Ended.CancelAsync();
            await writing;
            await watching;
        }
    }

    /// <summary>The query-string checks of gateway.mdx "Connecting": v=10 (4012), JSON encoding (the double speaks no ETF), no compression.</summary>
    private static (int Code, string Reason)? Refusal(IQueryCollection query)
    {
        // Discord falls back to an old version without ?v=; the docs advise passing it, and a v10 client must.
        if (query["v"].ToString() != "10")
            return (4012, "Invalid API version");
        // Without encoding Discord sends JSON; ETF and compressed transports exist, but this double does not speak them.
        var encoding = query["encoding"].ToString();
        if (encoding.Length > 0 && encoding != "json")
            return (4002, "Decode error: this double speaks encoding=json only");
        if (query.ContainsKey("compress"))
            return (4002, "Decode error: this double sends no compressed transport");
        return null;
    }

    /// <summary>Reads whole messages until the client closes; each is handled in arrival order.</summary>
    private async Task ReadAsync(Connection connection)
    {
        var buffer = new byte[8 * 1024];
        var ct = connection.Context.RequestAborted;
        while (true)
        {
            using var message = new MemoryStream();
            ValueWebSocketReceiveResult result;
            do
            {
                result = await connection.Socket.ReceiveAsync(buffer.AsMemory(), ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    OnClientClose(connection);
                    return;
                }
                // Enough to tell a payload over the limit; the rest of a huge frame is read and dropped.
                if (message.Length <= MaxPayloadBytes)
                    message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);
            Handle(connection, message.ToArray(), result.MessageType);
        }
    }

    private void OnClientClose(Connection connection)
    {
        var code = (int?)connection.Socket.CloseStatus;
        lock (_gate)
        {
            connection.ClientClose = code;
            // gateway.mdx "Initiating a Disconnect": 1000 or 1001 invalidates the session; other codes (or none) keep it.
            if (code is 1000 or 1001 && connection.Session is { } session)
                session.Ended = true;
            if (connection.CloseSent is null)
            {
                connection.Closing = true;
                Detach(connection);
                connection.Outbox.Writer.TryWrite(new CloseFrame(code ?? 1000, "", Echo: true));
            }
        }
    }

    private void Handle(Connection connection, byte[] bytes, WebSocketMessageType type)
    {
        var now = _time.GetUtcNow();
        JsonObject? payload = null;
        if (type == WebSocketMessageType.Text && bytes.Length <= MaxPayloadBytes)
        {
            try
            {
                payload = JsonNode.Parse(bytes) as JsonObject;
            }
            catch (JsonException)
            {
            }
        }
        var op = payload is not null && Int(payload["op"]) is { } o ? (int)o : -1;
        lock (_gate)
        {
            if (connection.Closing)
                return; // a close is under way: what still arrives is drained, not answered
            connection.PayloadsReceived++;
            _received.Add(new GatewayPayloadRecord(connection.Id, op, null, null, payload?["d"]?.DeepClone(), bytes.Length, now));

            // gateway.mdx "Rate Limiting": 120 events per connection per 60 s; beyond it the app is disconnected.
            while (connection.Events.Count > 0 && now - connection.Events.Peek() >= RateWindow)
                connection.Events.Dequeue();
            connection.Events.Enqueue(now);
            if (connection.Events.Count > MaxEventsPerMinute)
            {
                CloseConnection(connection, 4008, "Rate limited");
                return;
            }
            // gateway.mdx "Sending Events": over 4096 bytes closes 4002; so does what is not a JSON payload.
            if (bytes.Length > MaxPayloadBytes)
            {
                CloseConnection(connection, 4002, "Decode error: payload over 4096 bytes");
                return;
            }
            if (payload is null)
            {
                CloseConnection(connection, 4002, "Decode error");
                return;
            }
            switch (op)
            {
                case 1:
                    OnHeartbeat(connection, payload, now);
                    break;
                case 2:
                    OnIdentify(connection, payload["d"] as JsonObject, now);
                    break;
                case 6:
                    OnResume(connection, payload["d"] as JsonObject, now);
                    break;
                case 3 or 4 or 8 or 31 or 43:
                    // Presence, voice state, member and soundboard requests: accepted and recorded once identified.
                    if (!connection.Authenticated)
                        CloseConnection(connection, 4003, "Not authenticated");
                    break;
                default:
                    // Op 0, 7, 9, 10 and 11 are the server's to send; anything else is unknown.
                    CloseConnection(connection, 4001, "Unknown opcode");
                    break;
            }
        }
    }

    private void OnHeartbeat(Connection connection, JsonObject payload, DateTimeOffset now)
    {
        var d = payload["d"];
        long? seq = null;
        if (d is not null)
        {
            if (Int(d) is not { } value)
            {
                CloseConnection(connection, 4001, "Invalid payload for opcode 1");
                return;
            }
            seq = value;
        }
        connection.LastBeat = now;
        var lastSent = connection.Dispatched.Count > 0 ? connection.Dispatched[^1].Seq : connection.ResumedFrom;
        // Judged only once a session is on the connection: before that the client may still carry its old session's seq.
        var wrong = false;
        if (connection.Authenticated)
        {
            var settled = connection.Dispatched.Where(x => now - x.At >= HeartbeatSeqGrace).Select(x => (long?)x.Seq).LastOrDefault() ?? connection.ResumedFrom ?? 0;
            wrong = (seq ?? 0) > (lastSent ?? 0) || (seq ?? 0) < settled;
        }
        var ack = !_suppressAcks;
        _heartbeats.Add(new GatewayHeartbeatRecord(connection.Id, seq, lastSent, ack, wrong, now));
        if (ack)
            Enqueue(connection, Payload(11, null));
    }

    private void OnIdentify(Connection connection, JsonObject? d, DateTimeOffset now)
    {
        if (connection.Authenticated)
        {
            CloseConnection(connection, 4005, "Already authenticated");
            return;
        }
        var token = Str(d?["token"]);
        var intents = Int(d?["intents"]);
        var properties = d?["properties"] as JsonObject;
        // gateway.mdx "Rate Limiting": at most max_concurrency identifies per 5 s (whatever becomes of them).
        _identifyTimes.RemoveAll(t => now - t >= IdentifyWindow);
        var tooSoon = _identifyTimes.Count >= Math.Max(1, MaxConcurrency);
        _identifyTimes.Add(now);
        if (tooSoon)
            _identifyTooSoon++;
        var record = new GatewayIdentifyRecord(connection.Id, token, intents, (JsonObject?)properties?.DeepClone(), tooSoon, Accepted: false, now);

        (int Code, string Reason)? refusal =
            token != Token ? (4004, "Authentication failed")
            // The docs do not say which code a malformed identify gets; 4001 is "an invalid payload for an opcode".
            : properties is null || Str(properties["os"]) is null || Str(properties["browser"]) is null || Str(properties["device"]) is null
                ? (4001, "Invalid payload: identify needs properties {os, browser, device}")
            // Intents are required from v8 on; the docs do not say which code a missing one gets, 4013 names the field.
            : intents is not { } bits || bits < 0 || (bits & ~DefinedIntents) != 0 ? (4013, "Invalid intent(s)")
            : (bits & PrivilegedIntents & ~AllowedPrivilegedIntents) != 0 ? (4014, "Disallowed intent(s)")
            : d?["shard"] is JsonArray shard && (shard.Count != 2 || Int(shard[0]) is not { } id || Int(shard[1]) is not { } count || id < 0 || count < 1 || id >= count)
                ? (4010, "Invalid shard")
            : null;
        if (refusal is { } r)
        {
            _identifies.Add(record);
            CloseConnection(connection, r.Code, r.Reason);
            return;
        }
        if (tooSoon && InvalidSessionOnIdentifyTooSoon)
        {
            _identifies.Add(record);
            Enqueue(connection, Payload(9, JsonValue.Create(false)));
            return;
        }
        _identifies.Add(record with { Accepted = true });
        var session = new Session("fake" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)));
        _sessions[session.Id] = session;
        _current = session;
        connection.Session = session;
        connection.Authenticated = true;
        session.Live = connection;
        var ready = new JsonObject
        {
            ["v"] = 10,
            ["user_settings"] = new JsonObject(),
            ["user"] = new JsonObject
            {
                ["id"] = BotUserId,
                ["username"] = "KernelDigest",
                ["discriminator"] = "0",
                ["global_name"] = null,
                ["avatar"] = null,
                ["bot"] = true,
                ["verified"] = true,
                ["mfa_enabled"] = false,
                ["flags"] = 0,
            },
            ["guilds"] = new JsonArray(),
            ["relationships"] = new JsonArray(),
            ["private_channels"] = new JsonArray(),
            ["presences"] = new JsonArray(),
            ["session_id"] = session.Id,
            ["session_type"] = "normal",
            ["resume_gateway_url"] = ResumeUrl.ToString().TrimEnd('/'),
            ["application"] = new JsonObject { ["id"] = ApplicationId, ["flags"] = 0 },
        };
        if (d?["shard"] is JsonArray asked)
            ready["shard"] = asked.DeepClone();
        Dispatch(session, "READY", ready);
        // Raised off the lock so a handler may read the double.
        var started = SessionStarted;
        if (started is not null)
            _ = Task.Run(() => started(this, EventArgs.Empty));
    }

    private void OnResume(Connection connection, JsonObject? d, DateTimeOffset now)
    {
        if (connection.Authenticated)
        {
            CloseConnection(connection, 4005, "Already authenticated");
            return;
        }
        var sessionId = Str(d?["session_id"]);
        var seq = Int(d?["seq"]);
        if (Str(d?["token"]) != Token)
        {
            _resumes.Add(new GatewayResumeRecord(connection.Id, sessionId, seq, GatewayResumeOutcome.AuthenticationFailed, 0, now));
            CloseConnection(connection, 4004, "Authentication failed");
            return;
        }
        if (sessionId is null || seq is null)
        {
            _resumes.Add(new GatewayResumeRecord(connection.Id, sessionId, seq, GatewayResumeOutcome.InvalidSession, 0, now));
            CloseConnection(connection, 4001, "Invalid payload: resume needs session_id and seq");
            return;
        }
        if (!_sessions.TryGetValue(sessionId, out var session) || session.Ended || (session.Live is null && now - session.DetachedAt > SessionTimeout))
        {
            if (session is not null)
                session.Ended = true;
            _resumes.Add(new GatewayResumeRecord(connection.Id, sessionId, seq, GatewayResumeOutcome.InvalidSession, 0, now));
            // gateway.mdx "Resuming": too late (or never known) gets op 9; d is false "most of the time".
            Enqueue(connection, Payload(9, JsonValue.Create(false)));
            return;
        }
        if (seq > session.Seq || seq < 0)
        {
            _resumes.Add(new GatewayResumeRecord(connection.Id, sessionId, seq, GatewayResumeOutcome.InvalidSeq, 0, now));
            // "Reconnect and start a new session": the session is over.
            session.Ended = true;
            CloseConnection(connection, 4007, "Invalid seq");
            return;
        }
        // The docs do not say what becomes of a connection still holding the session; it stops getting events, and is cut.
        if (session.Live is { } old && old != connection)
        {
            old.Closing = true;
            old.Dropped = true;
            Detach(old);
            old.Abort();
        }
        session.Live = connection;
        connection.Session = session;
        connection.Authenticated = true;
        connection.ResumedFrom = seq;
        var missed = session.Log.Where(e => e.Seq > seq).ToList();
        foreach (var entry in missed)
        {
            Enqueue(connection, Payload(0, entry.Data, entry.Seq, entry.Type));
            connection.Dispatched.Add((entry.Seq, now));
        }
        _resumes.Add(new GatewayResumeRecord(connection.Id, sessionId, seq, GatewayResumeOutcome.Resumed, missed.Count, now));
        // RESUMED is a dispatch with a sequence number of its own, as Discord sends it (the docs give no fields for d).
        Dispatch(session, "RESUMED", new JsonObject { ["_trace"] = new JsonArray("[\"fake-discord-gateway\"]") });
    }

    /// <summary>Numbers a dispatch in its session's stream, keeps it for resumes, and sends it if the session has a connection.</summary>
    private long Dispatch(Session session, string type, JsonNode? data)
    {
        var seq = ++session.Seq;
        session.Log.Add(new LoggedDispatch(seq, type, data));
        if (session.Live is { Closing: false } live)
        {
            Enqueue(live, Payload(0, data, seq, type));
            live.Dispatched.Add((seq, _time.GetUtcNow()));
        }
        return seq;
    }

    /// <summary>Closes a connection with a close frame (once); the session ends when the code says it cannot be resumed.</summary>
    private void CloseConnection(Connection connection, int code, string reason)
    {
        if (connection.Closing)
            return;
        connection.Closing = true;
        connection.CloseSent = code;
        _closes.Add(new GatewayCloseRecord(connection.Id, code, reason, _time.GetUtcNow()));
        if (connection.Session is { } session && code is 4003 or 4004 or 4007 or 4009 or (>= 4010 and <= 4014))
            session.Ended = true;
        Detach(connection);
        connection.Outbox.Writer.TryWrite(new CloseFrame(code, reason, Echo: false));
        connection.Outbox.Writer.TryComplete();
    }

    private void Detach(Connection connection)
    {
        if (connection.Session is { } session && session.Live == connection)
        {
            session.Live = null;
            session.DetachedAt = _time.GetUtcNow();
        }
    }

    private static void Enqueue(Connection connection, Frame frame)
    {
        if (!connection.Closing)
            connection.Outbox.Writer.TryWrite(frame);
    }

    private Connection CurrentConnection() =>
        _connections.LastOrDefault(c => !c.Closing) ?? throw new InvalidOperationException($"No open gateway connection. {DescribeUnlocked()}");

    private string DescribeUnlocked() =>
        $"Connections: {string.Join(", ", _connections.Select(c => $"#{c.Id} open={c.Open} closing={c.Closing}"))}";

    /// <summary>The connection's only writer: frames in the order they were queued, then its close frame.</summary>
    private async Task WriteAsync(Connection connection)
    {
        var ct = connection.Context.RequestAborted;
        try
        {
            await foreach (var item in connection.Outbox.Reader.ReadAllAsync(CancellationToken.None))
            {
                switch (item)
                {
                    case Frame frame:
                        var text = frame.ToJson();
                        var bytes = Encoding.UTF8.GetBytes(text);
                        await connection.Socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, ct);
                        lock (_gate)
                            _sent.Add(new GatewayPayloadRecord(connection.Id, frame.Op, frame.S, frame.T, frame.D?.DeepClone(), bytes.Length, _time.GetUtcNow()));
                        break;
                    case CloseFrame close:
                        await connection.Socket.CloseOutputAsync((WebSocketCloseStatus)close.Code, close.Reason, ct);
                        if (!close.Echo)
                            _ = CutIfSilentAsync(connection);
                        return;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The connection is gone: nothing more can be written to it.
        }
    }

    /// <summary>A client that does not answer a close frame loses its TCP connection, as a server must not wait forever.</summary>
    private async Task CutIfSilentAsync(Connection connection)
    {
        try
        {
            await Task.Delay(CloseGrace, connection.Ended.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        bool open;
        lock (_gate)
            open = connection.Open;
        if (open)
            connection.Abort();
    }

    /// <summary>Closes (4000) a connection whose heartbeats stop: gateway.mdx says it is closed and the app must resume.</summary>
    private async Task WatchHeartbeatsAsync(Connection connection)
    {
        try
        {
            while (true)
            {
                TimeSpan wait;
                lock (_gate)
                {
                    if (connection.Closing)
                        return;
                    wait = connection.LastBeat + connection.Interval + HeartbeatTolerance - _time.GetUtcNow();
                    if (wait <= TimeSpan.Zero)
                    {
                        // The docs do not name the code; 4000 is a resumable one, which matches "forced to Resume".
                        CloseConnection(connection, 4000, "Heartbeat timed out");
                        return;
                    }
                }
                await Task.Delay(wait, connection.Ended.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static Frame Payload(int op, JsonNode? d, long? s = null, string? t = null) => new(op, d, s, t);

    private static long? Int(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out var n) ? n : null;

    private static string? Str(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    public async ValueTask DisposeAsync()
    {
        List<Connection> open;
        lock (_gate)
        {
            open = [.. _connections.Where(c => c.Open)];
            foreach (var connection in open)
            {
                connection.Closing = true;
                connection.Dropped = true;
            }
        }
        foreach (var connection in open)
            connection.Abort();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private abstract record Outgoing;

    /// <summary>A payload <c>{op, d, s, t}</c>; <c>s</c> and <c>t</c> are null except on dispatches.</summary>
    private sealed record Frame(int Op, JsonNode? D, long? S, string? T) : Outgoing
    {
        public string ToJson() => new JsonObject { ["op"] = Op, ["d"] = D?.DeepClone(), ["s"] = S, ["t"] = T }.ToJsonString();
    }

    private sealed record CloseFrame(int Code, string Reason, bool Echo) : Outgoing;

    private sealed record LoggedDispatch(long Seq, string Type, JsonNode? Data);

    /// <summary>A gateway session: its numbered stream of dispatches (kept for resumes) and the connection it is on.</summary>
    private sealed class Session(string id)
    {
        public string Id { get; } = id;
        public List<LoggedDispatch> Log { get; } = [];
        public long Seq { get; set; }
        public Connection? Live { get; set; }
        public DateTimeOffset DetachedAt { get; set; }
        public bool Ended { get; set; }
    }

    /// <summary>One WebSocket connection's state; guarded by the double's lock.</summary>
    private sealed class Connection(int id, string path, string query, DateTimeOffset at, WebSocket socket, HttpContext context) : IDisposable
    {
        public int Id { get; } = id;

        /// <summary>Cancelled when the connection's request ends, so its timers end with it.</summary>
        public CancellationTokenSource Ended { get; } = new();

        public WebSocket Socket { get; } = socket;
        public HttpContext Context { get; } = context;

        /// <summary>
        /// Cuts the TCP connection. Its request may have ended between the check that it was open and this call (the
        /// client closed it meanwhile); ASP.NET has then disposed the context, and there is nothing left to cut.
        /// </summary>
        public void Abort()
        {
            try
            {
                Context.Abort();
            }
            catch (ObjectDisposedException)
            {
            }
        }
        public Channel<Outgoing> Outbox { get; } = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
        public TimeSpan Interval { get; init; }
        public DateTimeOffset LastBeat { get; set; }
        public Session? Session { get; set; }

        /// <summary>Identified or resumed: a session is (or was) on this connection.</summary>
        public bool Authenticated { get; set; }

        /// <summary>A close or drop is under way: nothing more is sent or answered.</summary>
        public bool Closing { get; set; }

        public bool Open { get; set; } = true;
        public bool Dropped { get; set; }
        public int? CloseSent { get; set; }
        public int? ClientClose { get; set; }
        public int PayloadsReceived { get; set; }
        public long? ResumedFrom { get; set; }
        public List<(long Seq, DateTimeOffset At)> Dispatched { get; } = [];
        public Queue<DateTimeOffset> Events { get; } = new();
        public string Path { get; } = path;
        public string Query { get; } = query;

        public void Dispose() => Ended.Dispose();

        public GatewayConnectionRecord ToRecord() => new(Id, Path, Query, at, Session?.Id, Open, CloseSent, ClientClose, Dropped, PayloadsReceived);
    }
}
