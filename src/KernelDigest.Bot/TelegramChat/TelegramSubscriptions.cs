using KernelDigest.Bot.Subscriptions;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using Telegram.Bot;
using Telegram.Bot.Requests;
using Telegram.Bot.Requests.Abstractions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace KernelDigest.Bot.TelegramChat;

/// <summary>
/// Subscriptions on Telegram: who may change a chat's subscription (getChatMember: creator or administrator; in a
/// private chat the user; a channel post is from an admin), and what the bot being removed from or added back to a chat
/// means for it.
/// </summary>
public sealed class TelegramSubscriptions(SubscriptionCommands commands, SubscriptionStore store, ITelegramBotClient bot, TelegramBotIdentity identity)
{
    /// <summary>The subscription command a message carries ("subscribe", …), or null.</summary>
    public string? CommandOf(Message message)
    {
        if (message.Text is not { } text || !text.StartsWith('/'))
            return null;
        var parsed = ParsedCommand.Parse(text, identity.Username);
        return parsed is not null && SubscriptionCommands.Handles(parsed.Name) ? parsed.Name : null;
    }

    public async Task<IReadOnlyList<IRequest>> AnswerAsync(Message message, bool isChannel, CancellationToken ct)
    {
        var parsed = ParsedCommand.Parse(message.Text!, identity.Username)!;
        var lang = isChannel ? Lang.Zh : Langs.FromCode(message.From?.LanguageCode);
        var isAdmin = await IsAdminAsync(message, isChannel, ct);
        var reply = await commands.HandleAsync(new SubscriptionRequest(
            "telegram", message.Chat.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            message.From?.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), isAdmin, parsed.Name, parsed.Arguments, lang), ct);
        return [.. TelegramRenderer.Render(reply).Select(m => (IRequest)new SendMessageRequest
        {
            ChatId = message.Chat.Id,
            Text = m.Html,
            ParseMode = ParseMode.Html,
            MessageThreadId = message.IsTopicMessage ? message.MessageThreadId : null,
            LinkPreviewOptions = new LinkPreviewOptions { IsDisabled = true },
        })];
    }

    private async Task<bool> IsAdminAsync(Message message, bool isChannel, CancellationToken ct)
    {
        if (isChannel || message.Chat.Type == ChatType.Private)
            return true;
        // An anonymous administrator posts as the group itself.
        if (message.SenderChat?.Id == message.Chat.Id)
            return true;
        if (message.From is null)
            return false;
        var member = await bot.GetChatMember(message.Chat.Id, message.From.Id, ct);
        return member.Status is ChatMemberStatus.Creator or ChatMemberStatus.Administrator;
    }

    /// <summary>The bot's own membership changed: removed pauses the subscription; added back offers to resume it.</summary>
    public async Task<IReadOnlyList<IRequest>> MembershipChangedAsync(ChatMemberUpdated update, CancellationToken ct)
    {
        var chatId = update.Chat.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var now = update.NewChatMember.Status;
        var before = update.OldChatMember.Status;
        if (now is ChatMemberStatus.Left or ChatMemberStatus.Kicked)
        {
            await store.SetStatusAsync("telegram", chatId, SubscriptionStatus.Paused, "the bot was removed from the chat", ct);
            return [];
        }
        if (before is ChatMemberStatus.Left or ChatMemberStatus.Kicked
            && await store.GetAsync("telegram", chatId, ct) is { Status: SubscriptionStatus.Paused } paused)
        {
            var texts = SubscriptionTexts.For(Langs.FromCode(paused.Lang));
            return [new SendMessageRequest { ChatId = update.Chat.Id, Text = texts.WelcomeBack }];
        }
        return [];
    }
}
