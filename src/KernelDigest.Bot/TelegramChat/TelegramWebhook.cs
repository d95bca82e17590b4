using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KernelDigest.Bot.Conversation;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Telegram.Bot.Requests;
using Telegram.Bot;
using TgUpdate = Telegram.Bot.Types.Update;

namespace KernelDigest.Bot.TelegramChat;

/// <summary>
/// The webhook endpoint. A single quick answer goes back in the HTTP response body as a Bot API call (Telegram runs
/// it; we never learn the result, so only plain answers go this way); anything more is queued for the sender.
/// </summary>
internal static partial class TelegramWebhook
{
    public const string SecretHeader = "X-Telegram-Bot-Api-Secret-Token";

    /// <summary>Telegram's updates are small; anything bigger is not from Telegram.</summary>
    private const long MaxBodyBytes = 1 << 20;

    public static async Task<IResult> HandleAsync(
        HttpContext context,
        IOptions<TelegramOptions> options,
        TelegramUpdateProcessor processor,
        TelegramOutbox outbox,
        SeenIds seen,
        ILoggerFactory loggers)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var logger = loggers.CreateLogger("KernelDigest.Bot.TelegramChat.Webhook");
        if (!SecretMatches(context.Request.Headers[SecretHeader].ToString(), options.Value.WebhookSecret))
        {
            LogRejected(logger, context.Connection.RemoteIpAddress?.ToString() ?? "?", context.Request.Headers.ContainsKey(SecretHeader) ? "wrong" : "missing");
            return Results.Unauthorized();
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = MaxBodyBytes;

        TgUpdate? update;
        try
        {
            update = await JsonSerializer.DeserializeAsync<TgUpdate>(context.Request.Body, JsonBotAPI.Options, context.RequestAborted);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            LogMalformed(logger, ex.Message);
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge); // over MaxBodyBytes: not from Telegram
        }
        catch (Exception ex) when (ex is JsonException or BadHttpRequestException or NotSupportedException)
        {
            LogMalformed(logger, ex.Message);
            return Results.BadRequest("malformed update");
        }
        if (update is null)
            return Results.BadRequest("malformed update");
        if (!seen.FirstTime(Core.Commands.Platform.Telegram, update.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            // Telegram sent it again, believing the first delivery failed: it was answered then.
            LogRepeated(logger, update.Id);
            return Results.Ok();
        }

        if (!processor.NeedsIo(update) && await processor.PlanAsync(update, context.RequestAborted) is { Requests: [var only], AfterSent: null }
            && only is SendMessageRequest or AnswerCallbackQueryRequest or AnswerInlineQueryRequest)
        {
            only.IsWebhookResponse = true;
            processor.LogAnsweredInResponse(update, started);
            return Results.Text(JsonSerializer.Serialize(only, only.GetType(), JsonBotAPI.Options), "application/json", Encoding.UTF8);
        }
        // More than one call, or one that needs I/O first: answer through the Bot API, off the request.
        await outbox.EnqueueAsync(update, context.RequestAborted);
        return Results.Ok();
    }

    /// <summary>Constant-time comparison (of fixed-length hashes, so the secret's length does not leak either).</summary>
    internal static bool SecretMatches(string? presented, string? expected)
    {
        if (string.IsNullOrEmpty(presented) || string.IsNullOrEmpty(expected))
            return false;
        return CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a Telegram webhook call from {RemoteIp}: {Which} secret token")]
    private static partial void LogRejected(ILogger logger, string remoteIp, string which);

    [LoggerMessage(Level = LogLevel.Information, Message = "Telegram update {UpdateId} came again; it was answered the first time")]
    private static partial void LogRepeated(ILogger logger, int updateId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a malformed Telegram update: {Reason}")]
    private static partial void LogMalformed(ILogger logger, string reason);
}
