using System.ComponentModel.DataAnnotations;

namespace KernelDigest.Bot.TelegramChat;

public enum TelegramMode
{
    /// <summary>getUpdates long polling: works behind NAT, no public URL needed.</summary>
    Polling,

    /// <summary>Telegram POSTs updates to <see cref="TelegramOptions.WebhookUrl"/>.</summary>
    Webhook,
}

/// <summary>Telegram settings; the platform runs when <see cref="BotToken"/> is set.</summary>
public sealed class TelegramOptions : IValidatableObject
{
    public const string SectionName = "Telegram";

    /// <summary>From @BotFather (env <c>Telegram__BotToken</c>). Never logged.</summary>
    public string? BotToken { get; set; }

    /// <summary>The Bot API server: the official one, a self-hosted Bot API server, or a test double.</summary>
    [Required]
    public string ApiBaseUrl { get; set; } = "https://api.telegram.org";

    public TelegramMode Mode { get; set; } = TelegramMode.Polling;

    /// <summary>The public HTTPS URL Telegram posts to (webhook mode), e.g. https://bot.example.org/telegram/webhook.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>Sent by Telegram in X-Telegram-Bot-Api-Secret-Token with every webhook request. Never logged.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>The local path of the webhook endpoint on this app's Kestrel server.</summary>
    public string WebhookPath { get; set; } = "/telegram/webhook";

    /// <summary>getUpdates long-poll seconds.</summary>
    [Range(0, 50)]
    public int PollTimeoutSeconds { get; set; } = 25;

    /// <summary>Seconds Telegram clients may cache inline results.</summary>
    [Range(0, 86400)]
    public int InlineCacheSeconds { get; set; } = 300;

    /// <summary>Messages per second across all chats for digest fan-out (Telegram's guidance is about 30).</summary>
    [Range(1, 1000)]
    public int MaxMessagesPerSecond { get; set; } = 30;

    /// <summary>
    /// How long one Bot API request may take, answer included (env <c>Telegram__RequestTimeout</c>): past it the request
    /// is given up and retried like a network fault. In polling mode it must be longer than the long poll.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public bool Enabled => !string.IsNullOrWhiteSpace(BotToken);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
            yield break;
        var colon = BotToken!.IndexOf(':', StringComparison.Ordinal);
        if (colon is < 1 or > 16 || !BotToken[..colon].All(char.IsAsciiDigit) || colon == BotToken.Length - 1)
            yield return new ValidationResult("Telegram:BotToken does not look like a bot token ('123456:ABC…' from @BotFather); set it with the environment variable Telegram__BotToken.", [nameof(BotToken)]);
        if (!Uri.TryCreate(ApiBaseUrl, UriKind.Absolute, out var api) || api.Scheme is not ("http" or "https"))
            yield return new ValidationResult("Telegram:ApiBaseUrl must be an http(s) URL (env Telegram__ApiBaseUrl).", [nameof(ApiBaseUrl)]);
        if (Mode != TelegramMode.Webhook && RequestTimeout <= TimeSpan.FromSeconds(PollTimeoutSeconds + 1))
            yield return new ValidationResult($"Telegram:RequestTimeout ({RequestTimeout}) must be longer than the long poll, Telegram:PollTimeoutSeconds ({PollTimeoutSeconds} s), by more than a second (env Telegram__RequestTimeout).", [nameof(RequestTimeout)]);
        if (Mode != TelegramMode.Webhook)
            yield break;
        if (!Uri.TryCreate(WebhookUrl, UriKind.Absolute, out var hook) || hook.Scheme != "https")
            yield return new ValidationResult("Telegram:WebhookUrl must be the public https:// URL of the webhook when Telegram:Mode is webhook (env Telegram__WebhookUrl).", [nameof(WebhookUrl)]);
        if (string.IsNullOrEmpty(WebhookSecret) || WebhookSecret.Length > 256 || !WebhookSecret.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            yield return new ValidationResult("Telegram:WebhookSecret is required in webhook mode: 1–256 characters of A-Z a-z 0-9 _ - (env Telegram__WebhookSecret).", [nameof(WebhookSecret)]);
        if (!WebhookPath.StartsWith('/'))
            yield return new ValidationResult("Telegram:WebhookPath must start with '/'.", [nameof(WebhookPath)]);
    }
}
