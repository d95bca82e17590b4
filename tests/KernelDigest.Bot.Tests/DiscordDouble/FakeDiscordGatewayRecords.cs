using System.Text.Json.Nodes;

namespace KernelDigest.Bot.Tests.DiscordDouble;

/// <summary>One WebSocket connection to <see cref="FakeDiscordGateway"/>, as it stands when read.</summary>
/// <param name="Id">1 for the first connection, then counting up.</param>
/// <param name="Path">"/" for the URL of <c>GET /gateway/bot</c>, <see cref="FakeDiscordGateway.ResumePath"/> for <c>resume_gateway_url</c>.</param>
/// <param name="Query">The query string as sent, e.g. <c>?v=10&amp;encoding=json</c>.</param>
/// <param name="SessionId">The session identified or resumed on it, if any.</param>
/// <param name="CloseSent">The close code the double sent, if it closed the connection.</param>
/// <param name="ClientClose">The close code the client sent, if it closed the connection.</param>
/// <param name="Dropped">Aborted without a close frame (<see cref="FakeDiscordGateway.Drop"/>, or on dispose).</param>
/// <param name="PayloadsReceived">Payloads the client sent on it (what the 120-per-minute limit counts).</param>
public sealed record GatewayConnectionRecord(int Id, string Path, string Query, DateTimeOffset At, string? SessionId, bool Open, int? CloseSent,
    int? ClientClose, bool Dropped, int PayloadsReceived);

/// <summary>A gateway payload, in either direction. <paramref name="Op"/> is -1 for a frame that was not a JSON payload.</summary>
public sealed record GatewayPayloadRecord(int ConnectionId, int Op, long? S, string? T, JsonNode? D, int Bytes, DateTimeOffset At);

/// <summary>An op 2 Identify the double received, and whether it started a session.</summary>
/// <param name="TooSoon">Sent when <c>max_concurrency</c> identifies had already been sent in the last 5 s.</param>
public sealed record GatewayIdentifyRecord(int ConnectionId, string? Token, long? Intents, JsonObject? Properties, bool TooSoon, bool Accepted, DateTimeOffset At);

/// <summary>How the double answered an op 6 Resume.</summary>
public enum GatewayResumeOutcome
{
    /// <summary>Missed dispatches replayed, then RESUMED.</summary>
    Resumed,

    /// <summary>Unknown, ended or timed-out session: op 9 with <c>d: false</c>.</summary>
    InvalidSession,

    /// <summary>Wrong token: close 4004.</summary>
    AuthenticationFailed,

    /// <summary>A <c>seq</c> the session never reached: close 4007.</summary>
    InvalidSeq,
}

/// <summary>An op 6 Resume the double received.</summary>
/// <param name="Replayed">Dispatches sent again (those with <c>s</c> above <paramref name="Seq"/>) before RESUMED.</param>
public sealed record GatewayResumeRecord(int ConnectionId, string? SessionId, long? Seq, GatewayResumeOutcome Outcome, int Replayed, DateTimeOffset At);

/// <summary>A close frame the double sent (not the echo of a close the client began).</summary>
public sealed record GatewayCloseRecord(int ConnectionId, int Code, string Reason, DateTimeOffset At);

/// <summary>An op 1 Heartbeat the client sent.</summary>
/// <param name="Seq">Its <c>d</c>: the last sequence number the client says it received (null before any).</param>
/// <param name="LastSent">The last sequence number the double had sent on this connection when the beat arrived.</param>
/// <param name="Acknowledged">Answered with op 11 (false while <see cref="FakeDiscordGateway.SuppressAcks"/> was on).</param>
/// <param name="Wrong">
/// <paramref name="Seq"/> names a dispatch never sent, or lags behind one sent more than
/// <see cref="FakeDiscordGateway.HeartbeatSeqGrace"/> earlier (a beat crossing a dispatch in flight is not wrong).
/// </param>
public sealed record GatewayHeartbeatRecord(int ConnectionId, long? Seq, long? LastSent, bool Acknowledged, bool Wrong, DateTimeOffset At);
