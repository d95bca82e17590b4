namespace KernelDigest.Bot.DiscordChat.Gateway;

/// <summary>Gateway opcodes (Discord's "Gateway Opcodes").</summary>
public static class GatewayOp
{
    public const int Dispatch = 0;
    public const int Heartbeat = 1;
    public const int Identify = 2;
    public const int Resume = 6;
    public const int Reconnect = 7;
    public const int InvalidSession = 9;
    public const int Hello = 10;
    public const int HeartbeatAck = 11;
}

/// <summary>The gateway close codes the client acts on.</summary>
public static class GatewayClose
{
    public const int UnknownError = 4000;
    public const int AuthenticationFailed = 4004;
    public const int InvalidSeq = 4007;
    public const int SessionTimedOut = 4009;

    /// <summary>
    /// Codes after which reconnecting cannot help, with what to fix: authentication failed, invalid shard, sharding
    /// required, invalid API version, invalid intents, disallowed intents.
    /// </summary>
    public static string? Fatal(int code) => code switch
    {
        AuthenticationFailed => "Discord refused the bot token on the gateway (close 4004): check Discord:BotToken (env Discord__BotToken)",
        4010 => "Discord says the shard sent is invalid (close 4010)",
        4011 => "Discord requires this bot to shard (close 4011): it is in too many servers for one connection",
        4012 => "Discord says the gateway API version is invalid (close 4012)",
        4013 => "Discord says the intents sent are invalid (close 4013)",
        4014 => "Discord says the intents sent are not allowed for this application (close 4014)",
        _ => null,
    };

    /// <summary>Codes after which the session cannot be resumed: a new one is identified.</summary>
    public static bool EndsSession(int code) => code is InvalidSeq or SessionTimedOut;
}

/// <summary>How one gateway connection ended, and so what the next one does.</summary>
public abstract record GatewayOutcome
{
    private GatewayOutcome()
    {
    }

    /// <summary>Dropped, zombie, or asked to reconnect: connect again and resume the session.</summary>
    public sealed record Reconnect(string Why) : GatewayOutcome;

    /// <summary>The session is over (invalid session, a timed-out one): wait, then identify anew.</summary>
    public sealed record Reidentify(string Why) : GatewayOutcome;

    /// <summary>Reconnecting cannot help: stop, saying what to fix.</summary>
    public sealed record Halt(string Why) : GatewayOutcome;
}

/// <summary>What survives a connection: the session to resume and the last sequence number seen.</summary>
public sealed class GatewaySession
{
    public string? SessionId { get; set; }
    public string? ResumeUrl { get; set; }
    public long? Sequence { get; set; }

    public bool CanResume => SessionId is not null && ResumeUrl is not null;

    public void Clear()
    {
        SessionId = null;
        ResumeUrl = null;
        Sequence = null;
    }
}
