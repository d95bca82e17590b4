using System.Globalization;
using KernelDigest.Bot.Chats;
using KernelDigest.Bot.Conversation;
using KernelDigest.Bot.Subscriptions;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using Telegram.Bot.Requests;
using Telegram.Bot.Requests.Abstractions;
using Telegram.Bot.Types.Enums;
using TgUpdate = Telegram.Bot.Types.Update;

namespace KernelDigest.Bot.TelegramChat;

/// <summary>
/// Handles one update end to end and makes sure a failure stays with that update: the user still gets an answer
/// (a pressed button always gets answerCallbackQuery), a chat found gone is handed to <see cref="ChatStates"/>, and
/// one log line records chat, command and outcome.
/// </summary>
public sealed partial class TelegramUpdateProcessor(
    TelegramUpdateHandler handler,
    TelegramSender sender,
    ChatStates chats,
    ConversationTurns turns,
    ILogger<TelegramUpdateProcessor> logger)
{
    /// <inheritdoc cref="TelegramUpdateHandler.NeedsIo"/>
    public bool NeedsIo(TgUpdate update) => handler.NeedsIo(update);

    /// <summary>The requests that answer an update; never throws for a bad update.</summary>
    public async Task<TelegramPlan> PlanAsync(TgUpdate update, CancellationToken ct)
    {
        try
        {
            return await handler.PlanAsync(update, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            LogHandlerFailed(update.Id, update.Type, ex);
            return update switch
            {
                { CallbackQuery: { } q } => new([new AnswerCallbackQueryRequest { CallbackQueryId = q.Id }]),
                { Message: { } m } => new([new SendMessageRequest { ChatId = m.Chat.Id, Text = ConversationTurns.Apology(Langs.FromCode(m.From?.LanguageCode)).Title, ParseMode = ParseMode.None }]),
                _ => TelegramPlan.Nothing,
            };
        }
    }

    /// <summary>Answers an update through the Bot API (polling mode, and webhook work that cannot go in the response).</summary>
    public async Task ProcessAsync(TgUpdate update, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var plan = await PlanAsync(update, ct);
        var outcome = plan.Requests.Count == 0 ? "ignored" : "sent";
        try
        {
            outcome = await SendAsync(plan.Requests, outcome, ct);
        }
        finally
        {
            plan.AfterSent?.Invoke();
        }
        Record(update, outcome, started);
    }

    private async Task<string> SendAsync(IReadOnlyList<IRequest> requests, string outcome, CancellationToken ct)
    {
        foreach (var request in requests)
        {
            var result = await sender.SendAsync(request, ct);
            if (result is SendResult.Gone { Reason: GoneReason.Migrated, NewChatId: { } newId } moved && request is SendMessageRequest message)
            {
                // The group became a supergroup: its subscriptions move, and the answer goes to where the chat is now.
                await chats.ApplyAsync(AddressOf(message), moved, ct);
                message.ChatId = long.Parse(newId, CultureInfo.InvariantCulture);
                result = await sender.SendAsync(message, ct);
            }
            switch (result)
            {
                case SendResult.Gone gone when request is SendMessageRequest or EditMessageTextRequest:
                    await chats.ApplyAsync(AddressOf(request), gone, ct);
                    outcome = "gone";
                    break;
                case SendResult.Gone or SendResult.RetryLater:
                    outcome = "failed";
                    break;
            }
        }
        return outcome;
    }

    /// <summary>Logs an update answered inside a webhook response.</summary>
    public void LogAnsweredInResponse(TgUpdate update, long started) => Record(update, "in-response", started);

    private void Record(TgUpdate update, string outcome, long started)
    {
        var command = update switch
        {
            { InlineQuery: not null } => "inline",
            { MyChatMember: not null } => "membership",
            _ => handler.InputOf(update) is { } input ? ConversationTurns.CommandName(input) : update.Type.ToString(),
        };
        var chat = (update.Message ?? update.ChannelPost ?? update.CallbackQuery?.Message)?.Chat.Id.ToString(CultureInfo.InvariantCulture)
            ?? update.MyChatMember?.Chat.Id.ToString(CultureInfo.InvariantCulture) ?? "-";
        turns.Record(Platform.Telegram, "update", update.Id.ToString(CultureInfo.InvariantCulture), chat, command, outcome, started);
    }

    private static ChatAddress AddressOf(IRequest request) => request switch
    {
        SendMessageRequest m => new ChatAddress(Platform.Telegram, m.ChatId.ToString(), m.MessageThreadId?.ToString(CultureInfo.InvariantCulture)),
        EditMessageTextRequest e => new ChatAddress(Platform.Telegram, e.ChatId.ToString()),
        _ => throw new ArgumentException($"{request.MethodName} is not sent to a chat", nameof(request)),
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Telegram update {UpdateId} ({Type}) could not be handled")]
    private partial void LogHandlerFailed(int updateId, UpdateType type, Exception ex);
}
