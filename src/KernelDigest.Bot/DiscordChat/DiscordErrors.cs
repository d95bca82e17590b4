namespace KernelDigest.Bot.DiscordChat;

/// <summary>Discord answered a REST call with an error: the HTTP status, and Discord's JSON error code when it gave one.</summary>
public class DiscordApiException : Exception
{
    public const int UnknownChannel = 10003;
    public const int UnknownWebhook = 10015;
    public const int UnknownInteraction = 10062;
    public const int MissingAccess = 50001;
    public const int MissingPermissions = 50013;

    public DiscordApiException()
    {
    }

    public DiscordApiException(string message) : base(message)
    {
    }

    public DiscordApiException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public DiscordApiException(int status, int code, string message) : base(message)
    {
        Status = status;
        Code = code;
    }

    /// <summary>The HTTP status code.</summary>
    public int Status { get; }

    /// <summary>Discord's JSON error code (e.g. 10003 Unknown Channel, 50013 Missing Permissions); 0 when none.</summary>
    public int Code { get; }

    /// <summary>True for the codes that mean a channel cannot receive the bot's messages (10003, 50001, 50013).</summary>
    public static bool IsChannelGone(int code) => code is UnknownChannel or MissingAccess or MissingPermissions;

    /// <summary>
    /// Why a channel cannot receive messages, as stored with a paused subscription and shown by /subscription, e.g.
    /// "Unknown Channel (10003): …". The REST client reports the same text, so whichever writes last, the reason reads the same.
    /// </summary>
    public static string ChannelProblem(int code, string? message = null) => code switch
    {
        UnknownChannel => "Unknown Channel (10003): the channel was deleted or the bot cannot see it",
        MissingAccess => "Missing Access (50001): the bot cannot see this channel or was removed from the server",
        MissingPermissions => "Missing Permissions (50013): the bot needs View Channel, Send Messages and Embed Links in this channel",
        _ => $"{message ?? "Discord error"} ({code})",
    };
}

/// <summary>
/// Discord refused the bot token (401). The client stops calling Discord after this: every later call throws at once,
/// because repeated 401s count toward Cloudflare's invalid-request ban.
/// </summary>
public sealed class DiscordUnauthorizedException : DiscordApiException
{
    public DiscordUnauthorizedException() : this("Discord refused the bot token (401 Unauthorized): check Discord:BotToken.")
    {
    }

    public DiscordUnauthorizedException(string message) : base(401, 0, message)
    {
    }

    public DiscordUnauthorizedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>A 429 (the client waits and retries; this escapes only when the wait would be unreasonably long).</summary>
public sealed class DiscordRateLimitedException : DiscordApiException
{
    public DiscordRateLimitedException()
    {
    }

    public DiscordRateLimitedException(string message) : base(message)
    {
    }

    public DiscordRateLimitedException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public DiscordRateLimitedException(TimeSpan retryAfter, bool global, string message) : base(429, 0, message)
    {
        RetryAfter = retryAfter;
        Global = global;
    }

    public TimeSpan RetryAfter { get; }

    public bool Global { get; }
}
