using KernelDigest.Bot.Chats;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Diagnostics;
using Polly;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Requests;
using Telegram.Bot.Requests.Abstractions;

namespace KernelDigest.Bot.TelegramChat;

/// <summary>
/// Sends Bot API requests through one retry policy and says how each ended as a <see cref="SendResult"/>.
/// Telegram.Bot's own 429 retry is switched off (it would sleep inside a request for up to a minute, unseen): here
/// 429 waits <c>retry_after</c>, 5xx and network faults back off (<see cref="ChatRetry"/>), and a chat that cannot
/// receive messages comes back as <see cref="SendResult.Gone"/> with the reason, for the caller to act on.
/// </summary>
public sealed partial class TelegramSender(ITelegramBotClient bot, ILogger<TelegramSender> logger, TimeProvider time)
{
    private readonly ResiliencePipeline _pipeline = ChatRetry.Pipeline(
        time,
        new PredicateBuilder().Handle<RequestException>(IsTransient),
        ex => ex is ApiRequestException { ErrorCode: 429, Parameters.RetryAfter: { } after }
            ? TimeSpan.FromSeconds(Math.Clamp(after, 1, 300)) + TimeSpan.FromMilliseconds(100)
            : null);

    /// <summary>Counts 429 answers received (for metrics and tests).</summary>
    public long TooManyRequests => Interlocked.Read(ref _tooManyRequests);

    private long _tooManyRequests;

    public async Task<SendResult> SendAsync(IRequest request, CancellationToken ct)
    {
        try
        {
            await _pipeline.ExecuteAsync(async token => await Execute(request, token), ct);
            return SendResult.Ok;
        }
        catch (ApiRequestException ex) when (ex.Parameters?.MigrateToChatId is { } newId)
        {
            return new SendResult.Gone(GoneReason.Migrated, ex.Message, newId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (ApiRequestException ex) when (GoneReasonOf(ex) is { } reason)
        {
            return new SendResult.Gone(reason, ex.Message);
        }
        catch (ApiRequestException ex) when (ex.ErrorCode == 400 && ex.Message.Contains("message is not modified", StringComparison.OrdinalIgnoreCase))
        {
            return SendResult.Ok; // the page shown is already this one
        }
        catch (RequestException ex)
        {
            LogSendFailed(request.MethodName, ChatOf(request) ?? "-", ex.Message, ex);
            var after = ex is ApiRequestException { Parameters.RetryAfter: { } seconds } ? time.GetUtcNow().AddSeconds(seconds) : (DateTimeOffset?)null;
            return new SendResult.RetryLater(ex.Message, after);
        }
    }

    private async Task Execute(IRequest request, CancellationToken ct)
    {
        try
        {
            Task call = request switch
            {
                SendMessageRequest r => bot.SendRequest(r, ct),
                EditMessageTextRequest r => bot.SendRequest(r, ct),
                AnswerCallbackQueryRequest r => bot.SendRequest(r, ct),
                AnswerInlineQueryRequest r => bot.SendRequest(r, ct),
                _ => throw new NotSupportedException($"no sender for {request.MethodName}"),
            };
            await call;
        }
        catch (ApiRequestException ex) when (ex.ErrorCode == 429)
        {
            Interlocked.Increment(ref _tooManyRequests);
            Telemetry.RateLimited.Add(1, Telemetry.Tag("platform", Platform.Telegram.Key));
            throw;
        }
    }

    private static bool IsTransient(RequestException ex) => ex switch
    {
        ApiRequestException api => api.ErrorCode == 429 || api.ErrorCode >= 500,
        _ => true, // network failure, timeout, or a non-JSON error page from a proxy
    };

    /// <summary>The lasting problems, by the descriptions the Bot API gives with 403 and 400.</summary>
    private static GoneReason? GoneReasonOf(ApiRequestException ex) => (ex.ErrorCode, ex.Message.ToLowerInvariant()) switch
    {
        (403, var m) when m.Contains("blocked by the user", StringComparison.Ordinal) => GoneReason.Blocked,
        (403, _) => GoneReason.Kicked,
        (400, var m) when m.Contains("chat not found", StringComparison.Ordinal) => GoneReason.UnknownChat,
        (400, var m) when m.Contains("message thread not found", StringComparison.Ordinal) || m.Contains("topic_closed", StringComparison.Ordinal)
            || m.Contains("topic_deleted", StringComparison.Ordinal) => GoneReason.TopicGone,
        (400, var m) when m.Contains("not enough rights", StringComparison.Ordinal) => GoneReason.MissingPermissions,
        _ => null,
    };

    private static string? ChatOf(IRequest request) => request switch
    {
        SendMessageRequest r => r.ChatId.ToString(),
        EditMessageTextRequest r => r.ChatId.ToString(),
        _ => null,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram {Method} to chat {ChatId} failed: {Reason}")]
    private partial void LogSendFailed(string method, string chatId, string reason, Exception ex);
}
