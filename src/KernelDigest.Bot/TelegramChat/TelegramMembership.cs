using System.Globalization;
using KernelDigest.Bot.Chats;
using KernelDigest.Bot.Subscriptions;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using Telegram.Bot.Requests;
using Telegram.Bot.Requests.Abstractions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace KernelDigest.Bot.TelegramChat;

/// <summary>
/// The bot's own membership changed (my_chat_member): removed or kicked means the chat is gone, handled like any
/// other gone chat; added back to a chat whose subscription is paused offers to resume it.
/// </summary>
public sealed class TelegramMembership(ChatStates chats, SubscriptionStore store)
{
    public async Task<IReadOnlyList<IRequest>> ChangedAsync(ChatMemberUpdated update, CancellationToken ct)
    {
        var chat = new ChatAddress(Platform.Telegram, update.Chat.Id.ToString(CultureInfo.InvariantCulture));
        var now = update.NewChatMember.Status;
        var before = update.OldChatMember.Status;
        if (now is ChatMemberStatus.Left or ChatMemberStatus.Kicked)
        {
            await chats.ApplyAsync(chat, new SendResult.Gone(GoneReason.Kicked, "the bot was removed from the chat"), ct);
            return [];
        }
        if (before is ChatMemberStatus.Left or ChatMemberStatus.Kicked
            && await store.GetAsync(chat, ct) is { Status: SubscriptionStatus.Paused } paused)
        {
            var texts = SubscriptionTexts.For(Langs.FromCode(paused.Lang));
            return [new SendMessageRequest { ChatId = update.Chat.Id, Text = texts.WelcomeBack }];
        }
        return [];
    }
}
