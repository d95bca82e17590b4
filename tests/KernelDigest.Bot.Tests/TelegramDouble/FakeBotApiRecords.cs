using System.Text.Json;

namespace KernelDigest.Bot.Tests.TelegramDouble;

/// <summary>One HTTP call the fake server answered (or one Bot API call it found in a webhook response body).</summary>
/// <param name="Method">The method name as sent (original casing); the request path when it was not <c>/bot{token}/{method}</c>.</param>
/// <param name="Body">The parameters as a JSON object (form and multipart fields become string properties; empty body = <c>{}</c>).</param>
/// <param name="Time">When the request arrived.</param>
/// <param name="Headers">Request headers (case-insensitive names; empty for webhook-response calls).</param>
/// <param name="StatusCode">HTTP status of the answer.</param>
/// <param name="ViaWebhookResponse">True when the call was the body of a webhook response (<c>{"method":…}</c>).</param>
public sealed record RecordedRequest(
    string Method,
    JsonElement Body,
    DateTimeOffset Time,
    IReadOnlyDictionary<string, string> Headers,
    int StatusCode,
    bool ViaWebhookResponse)
{
    public string? UserAgent => Headers.TryGetValue("User-Agent", out var v) ? v : null;

    public string? ContentType => Headers.TryGetValue("Content-Type", out var v) ? v : null;

    /// <summary>True when <see cref="Method"/> equals <paramref name="method"/> ignoring case.</summary>
    public bool Is(string method) => string.Equals(Method, method, StringComparison.OrdinalIgnoreCase);
}

/// <summary>One button of an inline keyboard, flattened (row and column are 0-based).</summary>
public sealed record InlineButton(int Row, int Column, string Text, string? CallbackData, string? Url);

/// <summary>An accepted sendMessage call.</summary>
/// <param name="MessageId">The message_id the fake returned.</param>
/// <param name="Text">The text exactly as the bot sent it (markup included).</param>
/// <param name="ParseMode">parse_mode as sent (Telegram.Bot sends "Html"), or null.</param>
/// <param name="PlainText">What the user sees: tags stripped, entities decoded, trimmed (HTML only; otherwise the text trimmed).</param>
/// <param name="Entities">Entities derived from the HTML, or the <c>entities</c> parameter.</param>
public sealed record SentMessage(
    int MessageId,
    long ChatId,
    string Text,
    string? ParseMode,
    string PlainText,
    IReadOnlyList<FakeEntity> Entities,
    JsonElement? ReplyMarkup,
    int? MessageThreadId,
    JsonElement? LinkPreviewOptions,
    JsonElement? ReplyParameters,
    JsonElement Body,
    DateTimeOffset Time)
{
    /// <summary>The inline keyboard buttons of <see cref="ReplyMarkup"/>, row by row.</summary>
    public IReadOnlyList<InlineButton> Buttons => FakeBotApi.ButtonsOf(ReplyMarkup);

    public bool IsHtml => string.Equals(ParseMode, "HTML", StringComparison.OrdinalIgnoreCase);
}

/// <summary>An accepted editMessageText call (ChatId and MessageId, or InlineMessageId).</summary>
public sealed record EditedMessage(
    long? ChatId,
    int? MessageId,
    string? InlineMessageId,
    string Text,
    string? ParseMode,
    string PlainText,
    IReadOnlyList<FakeEntity> Entities,
    JsonElement? ReplyMarkup,
    JsonElement? LinkPreviewOptions,
    JsonElement Body,
    DateTimeOffset Time)
{
    public IReadOnlyList<InlineButton> Buttons => FakeBotApi.ButtonsOf(ReplyMarkup);
}

/// <summary>An accepted answerCallbackQuery call.</summary>
public sealed record CallbackAnswer(string CallbackQueryId, string? Text, bool ShowAlert, string? Url, int? CacheTime, DateTimeOffset Time);

/// <summary>An accepted answerInlineQuery call. <see cref="Results"/> is the JSON array as sent.</summary>
public sealed record InlineAnswer(
    string InlineQueryId,
    JsonElement Results,
    string? NextOffset,
    int? CacheTime,
    bool IsPersonal,
    JsonElement? Button,
    JsonElement Body,
    DateTimeOffset Time)
{
    public int ResultCount => Results.GetArrayLength();

    public IReadOnlyList<string> ResultIds =>
        [.. Results.EnumerateArray().Select(r => r.TryGetProperty("id", out var id) ? id.ToString() : "")];
}

/// <summary>A command of a setMyCommands call.</summary>
public sealed record RecordedCommand(string Command, string Description);

/// <summary>An accepted setMyCommands (or deleteMyCommands, <see cref="IsDelete"/>) call.</summary>
/// <param name="ScopeType">scope.type, "default" when no scope was sent.</param>
/// <param name="LanguageCode">language_code, null when not sent.</param>
public sealed record CommandsCall(
    IReadOnlyList<RecordedCommand> Commands,
    string ScopeType,
    JsonElement? Scope,
    string? LanguageCode,
    bool IsDelete,
    DateTimeOffset Time);

/// <summary>An accepted setWebhook or deleteWebhook call (<see cref="Method"/> tells which).</summary>
public sealed record WebhookCall(
    string Method,
    string? Url,
    string? SecretToken,
    IReadOnlyList<string>? AllowedUpdates,
    bool DropPendingUpdates,
    int? MaxConnections,
    string? IpAddress,
    DateTimeOffset Time);
