using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.RateLimiting;

namespace KernelDigest.Bot.DiscordChat.Gateway;

/// <summary>
/// One WebSocket connection to the gateway, from Hello to its end: identify or resume, heartbeats at the interval Hello
/// gives (the first after a random fraction of it), an answer at once to the server's own heartbeat request, and
/// dispatches handed on in order of arrival. A beat not acknowledged before the next one means a zombie connection:
/// it is closed with a non-1000 code so the session can be resumed. What the next connection does is the outcome.
/// </summary>
internal sealed partial class GatewayConnection(
    ClientWebSocket socket,
    GatewaySession session,
    string token,
    RateLimiter sendLimit,
    Func<string, JsonElement, Task> onDispatch,
    Action onIdentify,
    TimeProvider time,
    ILogger logger) : IDisposable
{
    /// <summary>Payloads the client sends are small; Discord closes a connection that sends more than 4,096 bytes.</summary>
    private const int MaxReceive = 1 << 22;

    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private volatile bool _acknowledged = true;

    public async Task<GatewayOutcome> RunAsync(CancellationToken ct)
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task<GatewayOutcome>? heart = null;
        try
        {
            while (true)
            {
                var frame = await ReceiveAsync(connection.Token);
                if (frame is null)
                    return Closed();
                using var document = frame;
                var root = document.RootElement;
                var op = root.TryGetProperty("op", out var o) && o.TryGetInt32(out var n) ? n : -1;
                switch (op)
                {
                    case GatewayOp.Hello:
                        var interval = TimeSpan.FromMilliseconds(root.GetProperty("d").GetProperty("heartbeat_interval").GetDouble());
                        heart = BeatAsync(interval, connection);
                        if (session.CanResume)
                            await ResumeAsync(connection.Token);
                        else
                        {
                            await IdentifyAsync(connection.Token);
                            onIdentify(); // the identify rate counts from when one is sent
                        }
                        break;
                    case GatewayOp.Heartbeat:
                        await HeartbeatAsync(connection.Token); // the server asks for one now
                        break;
                    case GatewayOp.HeartbeatAck:
                        _acknowledged = true;
                        break;
                    case GatewayOp.Reconnect:
                        await CloseAsync("reconnect asked");
                        return new GatewayOutcome.Reconnect("Discord asked to reconnect (op 7)");
                    case GatewayOp.InvalidSession:
                        var resumable = root.TryGetProperty("d", out var d) && d.ValueKind == JsonValueKind.True;
                        await CloseAsync("invalid session");
                        return resumable ? new GatewayOutcome.Reconnect("invalid session, resumable (op 9)") : new GatewayOutcome.Reidentify("invalid session (op 9)");
                    case GatewayOp.Dispatch:
                        if (root.TryGetProperty("s", out var s) && s.TryGetInt64(out var sequence))
                            session.Sequence = sequence;
                        var type = root.TryGetProperty("t", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
                        if (type == "READY" && root.TryGetProperty("d", out var ready))
                        {
                            session.SessionId = ready.GetProperty("session_id").GetString();
                            session.ResumeUrl = ready.GetProperty("resume_gateway_url").GetString();
                        }
                        await onDispatch(type, root.TryGetProperty("d", out var data) ? data.Clone() : default);
                        break;
                }
                if (heart is { IsCompleted: true })
                    return await heart;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested && heart is not null)
        {
            return await heart; // the heartbeat found a zombie and ended the connection
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or JsonException or KeyNotFoundException or InvalidOperationException && !ct.IsCancellationRequested)
        {
            return new GatewayOutcome.Reconnect("connection lost: " + ex.Message);
        }
        finally
        {
            await connection.CancelAsync();
            if (heart is not null)
                await heart.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>The connection closed: by Discord with a code (fatal, session-ending, or resumable), or dropped.</summary>
    private GatewayOutcome Closed()
    {
        var code = (int?)socket.CloseStatus;
        var text = $"closed {code?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "without a code"} {socket.CloseStatusDescription}".TrimEnd();
        if (code is { } c && GatewayClose.Fatal(c) is { } fatal)
            return new GatewayOutcome.Halt(fatal);
        if (code is { } e && GatewayClose.EndsSession(e))
            return new GatewayOutcome.Reidentify(text);
        return new GatewayOutcome.Reconnect(text);
    }

    private async Task<GatewayOutcome> BeatAsync(TimeSpan interval, CancellationTokenSource connection)
    {
        var ct = connection.Token;
        try
        {
            // The first beat after a random part of the interval, so that clients reconnecting together do not beat together.
            await Task.Delay(interval * Random.Shared.NextDouble(), time, ct);
            while (!ct.IsCancellationRequested)
            {
                if (!_acknowledged)
                {
                    LogZombie(interval.TotalMilliseconds);
                    await CloseAsync("zombie connection");
                    await connection.CancelAsync();
                    return new GatewayOutcome.Reconnect("no heartbeat ACK: zombie connection");
                }
                _acknowledged = false;
                await HeartbeatAsync(ct);
                await Task.Delay(interval, time, ct);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
        return new GatewayOutcome.Reconnect("connection ended");
    }

    private Task HeartbeatAsync(CancellationToken ct) =>
        SendAsync(new JsonObject { ["op"] = GatewayOp.Heartbeat, ["d"] = session.Sequence is { } s ? JsonValue.Create(s) : null }, ct);

    private Task IdentifyAsync(CancellationToken ct) => SendAsync(new JsonObject
    {
        ["op"] = GatewayOp.Identify,
        ["d"] = new JsonObject
        {
            ["token"] = token,
            // Slash commands and buttons need no intents.
            ["intents"] = 0,
            ["properties"] = new JsonObject { ["os"] = Environment.OSVersion.Platform.ToString().ToLowerInvariant(), ["browser"] = "KernelDigest", ["device"] = "KernelDigest" },
        },
    }, ct);

    private Task ResumeAsync(CancellationToken ct) => SendAsync(new JsonObject
    {
        ["op"] = GatewayOp.Resume,
        ["d"] = new JsonObject { ["token"] = token, ["session_id"] = session.SessionId, ["seq"] = session.Sequence },
    }, ct);

    /// <summary>Sends one payload, one at a time, within the gateway's 120 sends a minute.</summary>
    private async Task SendAsync(JsonObject payload, CancellationToken ct)
    {
        using var lease = await sendLimit.AcquireAsync(1, ct);
        var bytes = Encoding.UTF8.GetBytes(payload.ToJsonString());
        await _sendGate.WaitAsync(ct);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>The next whole text message, or null once the connection has closed.</summary>
    private async Task<JsonDocument?> ReceiveAsync(CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
                return null;
            message.Write(buffer, 0, result.Count);
            if (message.Length > MaxReceive)
                throw new InvalidOperationException("a gateway message passed 4 MiB");
            if (result.EndOfMessage)
                break;
        }
        return JsonDocument.Parse(message.ToArray());
    }

    /// <summary>
    /// Ends the connection with a code other than 1000/1001 (those end the session; this one is to be resumed), and
    /// gives up on a peer that does not answer the close.
    /// </summary>
    private async Task CloseAsync(string why)
    {
        try
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await socket.CloseOutputAsync((WebSocketCloseStatus)GatewayClose.UnknownError, why, wait.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        socket.Abort();
    }

    public void Dispose() => _sendGate.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord gateway: no heartbeat ACK within {IntervalMs} ms; closing the zombie connection to resume")]
    private partial void LogZombie(double intervalMs);
}
