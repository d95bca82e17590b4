using KernelDigest.Bot.Chats;
using Polly;
using Polly.Retry;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Requests;
using Telegram.Bot.Requests.Abstractions;

namespace KernelDigest.Bot.TelegramChat;

/// <summary>How a Bot API call ended, after retries.</summary>
public enum SendOutcome
{
    Sent,

    /// <summary>The chat cannot receive messages (blocked, kicked, not found); reported to <see cref="ChatFeedback"/>.</summary>
    ChatGone,

    /// <summary>Gave up after retrying transient failures, or the request itself was refused.</summary>
    Failed,
}

/// <summary>
/// Sends Bot API requests through one retry policy. Telegram.Bot's own 429 retry is switched off (it would sleep inside
/// a request for up to a minute, unseen): here 429 waits <c>retry_after</c>, 5xx and network faults back off
/// exponentially, a group upgraded to a supergroup is re-sent to its new id, and chats that are gone are reported.
/// </summary>
public sealed partial class TelegramSender(ITelegramBotClient bot, ChatFeedback feedback, ILogger<TelegramSender> logger, TimeProvider time)
{
    private readonly ResiliencePipeline _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = 5,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(500),
            MaxDelay = TimeSpan.FromSeconds(30),
            ShouldHandle = new PredicateBuilder().Handle<RequestException>(IsTransient),
            DelayGenerator = args => ValueTask.FromResult(
                args.Outcome.Exception is ApiRequestException { ErrorCode: 429, Parameters.RetryAfter: { } after }
                    ? TimeSpan.FromSeconds(Math.Clamp(after, 1, 300)) + TimeSpan.FromMilliseconds(100)
                    : (TimeSpan?)null),
        })
        .Build();

    /// <summary>Counts 429 answers received (for metrics and tests).</summary>
    public long TooManyRequests => Interlocked.Read(ref _tooManyRequests);

    private long _tooManyRequests;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, string> _problems = new();

    /// <summary>The description of the last lasting problem with a chat (e.g. "Forbidden: bot was blocked by the user").</summary>
    public string? LastProblem(long chatId) => _problems.TryGetValue(chatId, out var p) ? p : null;

    public async Task<SendOutcome> SendAsync(IRequest request, CancellationToken ct)
    {
        try
        {
            await _pipeline.ExecuteAsync(async token => await Execute(request, token), ct);
            return SendOutcome.Sent;
        }
        catch (ApiRequestException ex) when (ex.Parameters?.MigrateToChatId is { } newId && request is SendMessageRequest message)
        {
            var oldId = message.ChatId.ToString();
            feedback.Report(new ChatProblem("telegram", oldId, ChatProblemKind.Migrated, ex.Message, newId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            message.ChatId = newId;
            return await SendAsync(message, ct);
        }
        catch (ApiRequestException ex) when (ex.ErrorCode == 403 || IsChatNotFound(ex))
        {
            var chat = ChatOf(request) ?? "?";
            if (long.TryParse(chat, out var chatId))
                _problems[chatId] = ex.Message;
            feedback.Report(new ChatProblem("telegram", chat, ex.ErrorCode == 403 ? ChatProblemKind.Blocked : ChatProblemKind.NotFound, ex.Message));
            return SendOutcome.ChatGone;
        }
        catch (ApiRequestException ex) when (ex.ErrorCode == 400 && ex.Message.Contains("message is not modified", StringComparison.OrdinalIgnoreCase))
        {
            return SendOutcome.Sent; // the page shown is already this one
        }
        catch (RequestException ex)
        {
            LogSendFailed(request.MethodName, ChatOf(request) ?? "-", ex.Message, ex);
            return SendOutcome.Failed;
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
            KernelDigest.Core.Diagnostics.Telemetry.RateLimited.Add(1, KernelDigest.Core.Diagnostics.Telemetry.Tag("platform", "telegram"));
            throw;
        }
    }

    private static bool IsTransient(RequestException ex) => ex switch
    {
        ApiRequestException api => api.ErrorCode == 429 || api.ErrorCode >= 500,
        _ => true, // network failure, timeout, or a non-JSON error page from a proxy
    };

    private static bool IsChatNotFound(ApiRequestException ex) =>
        ex.ErrorCode == 400 && ex.Message.Contains("chat not found", StringComparison.OrdinalIgnoreCase);

    private static string? ChatOf(IRequest request) => request switch
    {
        SendMessageRequest r => r.ChatId.ToString(),
        EditMessageTextRequest r => r.ChatId.ToString(),
        _ => null,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram {Method} to chat {ChatId} failed: {Reason}")]
    private partial void LogSendFailed(string method, string chatId, string reason, Exception ex);
}
