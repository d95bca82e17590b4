using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Diagnostics;
using Telegram.Bot.Requests;
using Telegram.Bot.Requests.Abstractions;
using Telegram.Bot.Types.Enums;
using TgUpdate = Telegram.Bot.Types.Update;

namespace KernelDigest.Bot.TelegramChat;

/// <summary>
/// Handles one update end to end and makes sure a failure stays with that update: the user still gets an answer
/// (a pressed button always gets answerCallbackQuery), and one log line records chat, command and outcome.
/// </summary>
public sealed partial class TelegramUpdateProcessor(
    TelegramUpdateHandler handler,
    TelegramSender sender,
    TelegramSubscriptions subscriptions,
    ILogger<TelegramUpdateProcessor> logger)
{
    /// <summary>
    /// True for updates whose answer needs I/O first (subscription commands ask Telegram who is an admin, membership
    /// changes touch the store): the webhook queues these rather than answering in its response.
    /// </summary>
    public bool NeedsIo(TgUpdate update) => update switch
    {
        { MyChatMember: not null } => true,
        { Message: { } m } => subscriptions.CommandOf(m) is not null,
        { ChannelPost: { } p } => subscriptions.CommandOf(p) is not null,
        _ => false,
    };

    /// <summary>The requests that answer an update, including those that need I/O to decide; never throws for a bad update.</summary>
    public async Task<IReadOnlyList<IRequest>> PlanAsync(TgUpdate update, CancellationToken ct)
    {
        try
        {
            switch (update)
            {
                case { MyChatMember: { } member }:
                    return await subscriptions.MembershipChangedAsync(member, ct);
                case { Message: { } m } when subscriptions.CommandOf(m) is not null:
                    return await subscriptions.AnswerAsync(m, isChannel: false, ct);
                case { ChannelPost: { } p } when subscriptions.CommandOf(p) is not null:
                    return await subscriptions.AnswerAsync(p, isChannel: true, ct);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogHandlerFailed(update.Id, update.Type, ex);
            return update.Message is { } msg
                ? [new SendMessageRequest { ChatId = msg.Chat.Id, Text = BotTexts.For(Langs.FromCode(msg.From?.LanguageCode)).Error, ParseMode = ParseMode.None }]
                : [];
        }
        return Plan(update);
    }

    /// <summary>The requests that answer an update; never throws for a bad update.</summary>
    public IReadOnlyList<IRequest> Plan(TgUpdate update)
    {
        try
        {
            return handler.Handle(update);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogHandlerFailed(update.Id, update.Type, ex);
            return update switch
            {
                { CallbackQuery: { } q } => [new AnswerCallbackQueryRequest { CallbackQueryId = q.Id }],
                { Message: { } m } => [new SendMessageRequest { ChatId = m.Chat.Id, Text = BotTexts.For(Langs.FromCode(m.From?.LanguageCode)).Error, ParseMode = ParseMode.None }],
                _ => [],
            };
        }
    }

    /// <summary>Answers an update through the Bot API (polling mode, and webhook work that cannot go in the response).</summary>
    public async Task ProcessAsync(TgUpdate update, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var requests = await PlanAsync(update, ct);
        var outcome = requests.Count == 0 ? "ignored" : "sent";
        foreach (var request in requests)
        {
            var result = await sender.SendAsync(request, ct);
            if (result != SendOutcome.Sent)
                outcome = result.ToString().ToLowerInvariant();
        }
        Record(update, outcome, started);
    }

    private void Record(TgUpdate update, string outcome, long started)
    {
        var command = CommandOf(update);
        Telemetry.Handled.Add(1, Telemetry.Tag("platform", "telegram"), Telemetry.Tag("command", command), Telemetry.Tag("outcome", outcome));
        Telemetry.AnswerDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, Telemetry.Tag("platform", "telegram"));
        LogHandled(update.Id, update.Type, ChatOf(update), command, outcome);
    }

    /// <summary>Logs an update answered inside a webhook response.</summary>
    public void LogAnsweredInResponse(TgUpdate update, long started) => Record(update, "in-response", started);

    private static string ChatOf(TgUpdate update) =>
        (update.Message ?? update.ChannelPost ?? update.CallbackQuery?.Message)?.Chat.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)
        ?? (update.InlineQuery is not null ? "inline" : "-");

    // Only the command word is logged, never the user's whole text.
    private static string CommandOf(TgUpdate update)
    {
        var text = (update.Message ?? update.ChannelPost)?.Text;
        if (text is not null)
            return text.StartsWith('/') ? text.Split(' ', '@', '\n')[0].ToLowerInvariant() : "search";
        return update.CallbackQuery is not null ? "page" : update.InlineQuery is not null ? "inline" : update.Type.ToString();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Telegram update {UpdateId} ({Type}) chat {ChatId} {Command}: {Outcome}")]
    private partial void LogHandled(int updateId, UpdateType type, string chatId, string command, string outcome);

    [LoggerMessage(Level = LogLevel.Error, Message = "Telegram update {UpdateId} ({Type}) could not be handled")]
    private partial void LogHandlerFailed(int updateId, UpdateType type, Exception ex);
}
