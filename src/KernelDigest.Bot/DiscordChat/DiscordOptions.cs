using System.ComponentModel.DataAnnotations;

namespace KernelDigest.Bot.DiscordChat;

/// <summary>How interactions reach the bot.</summary>
public enum DiscordMode
{
    /// <summary>Discord POSTs them to the bot's public HTTPS endpoint (the application's Interactions Endpoint URL).</summary>
    Interactions,

    /// <summary>The bot connects out to Discord's gateway and receives them there: no public URL needed.</summary>
    Gateway,
}

/// <summary>
/// Discord settings. The platform runs when any of <see cref="ApplicationId"/>, <see cref="PublicKey"/> or
/// <see cref="BotToken"/> is set. The id and the token are always required; the public key in interactions mode,
/// which is the default when it is set (gateway mode otherwise). A missing one stops start-up naming it.
/// </summary>
public sealed class DiscordOptions : IValidatableObject
{
    public const string SectionName = "Discord";

    /// <summary>Interactions (HTTP endpoint) or Gateway; unset: interactions when a public key is set, else the gateway.</summary>
    public DiscordMode? Mode { get; set; }

    public DiscordMode EffectiveMode => Mode ?? (string.IsNullOrWhiteSpace(PublicKey) ? DiscordMode.Gateway : DiscordMode.Interactions);

    /// <summary>The application's id (Developer Portal → General Information), a snowflake.</summary>
    public string? ApplicationId { get; set; }

    /// <summary>The application's Ed25519 public key, 64 hex characters: every interaction is verified with it.</summary>
    public string? PublicKey { get; set; }

    /// <summary>The bot token (Developer Portal → Bot), for command registration and messages. Never logged.</summary>
    public string? BotToken { get; set; }

    /// <summary>Discord's REST API, or a test double.</summary>
    [Required]
    public string ApiBaseUrl { get; set; } = "https://discord.com/api/v10";

    /// <summary>When set, commands are registered to this one guild (instantly) instead of globally: for development.</summary>
    public string? DevGuildId { get; set; }

    /// <summary>
    /// How long an interaction may compute before it is answered "thinking…" (type 5) and completed through the
    /// follow-up webhook. Discord drops an interaction not answered within 3 s; 0 defers every command.
    /// </summary>
    [Range(0, 2500, ErrorMessage = "Discord:DeferAfterMilliseconds must be between 0 and 2500: Discord drops an interaction not answered within 3 seconds.")]
    public int DeferAfterMilliseconds { get; set; } = 2000;

    /// <summary>
    /// Gateway mode: how long an instance's hold on the gateway lasts without renewal (renewed every third of it).
    /// Another instance of a cluster takes the connection over at most this long after the holder stops.
    /// </summary>
    [Range(3, 600, ErrorMessage = "Discord:GatewayLeaseSeconds must be between 3 and 600.")]
    public int GatewayLeaseSeconds { get; set; } = 30;

    public bool Enabled => !string.IsNullOrWhiteSpace(ApplicationId) || !string.IsNullOrWhiteSpace(PublicKey) || !string.IsNullOrWhiteSpace(BotToken);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
            yield break;
        if (!IsSnowflake(ApplicationId))
            yield return new ValidationResult("Discord:ApplicationId is missing or not a numeric id: copy the Application ID from the Developer Portal (General Information) into the environment variable Discord__ApplicationId.", [nameof(ApplicationId)]);
        if (EffectiveMode == DiscordMode.Interactions && !DiscordSignature.IsValidPublicKey(PublicKey))
            yield return new ValidationResult("Discord:PublicKey is missing or not an Ed25519 public key (64 hex characters): copy the Public Key from the Developer Portal (General Information) into the environment variable Discord__PublicKey, or set Discord__Mode=Gateway to run without a public URL.", [nameof(PublicKey)]);
        if (string.IsNullOrWhiteSpace(BotToken))
            yield return new ValidationResult("Discord:BotToken is missing: reset and copy the token in the Developer Portal (Bot → Token) into the environment variable Discord__BotToken.", [nameof(BotToken)]);
        if (!Uri.TryCreate(ApiBaseUrl, UriKind.Absolute, out var api) || api.Scheme is not ("http" or "https"))
            yield return new ValidationResult("Discord:ApiBaseUrl must be an http(s) URL such as https://discord.com/api/v10 (env Discord__ApiBaseUrl).", [nameof(ApiBaseUrl)]);
        if (!string.IsNullOrEmpty(DevGuildId) && !IsSnowflake(DevGuildId))
            yield return new ValidationResult("Discord:DevGuildId must be a numeric guild (server) id, or empty to register commands globally (env Discord__DevGuildId).", [nameof(DevGuildId)]);
    }

    private static bool IsSnowflake(string? id) => id is { Length: > 0 and <= 20 } && id.All(char.IsAsciiDigit);
}
