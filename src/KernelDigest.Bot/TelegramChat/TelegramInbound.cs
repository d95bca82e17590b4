using System.Globalization;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using Telegram.Bot;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace KernelDigest.Bot.TelegramChat;

/// <summary>
/// Turns what Telegram sends into the dispatcher's <see cref="Inbound"/>: the chat and its kind, the forum topic
/// (message_thread_id) a message was sent in, the user and their language, the command parsed, and how to ask
/// Telegram (getChatMember) whether the sender administers the chat.
/// </summary>
public sealed class TelegramInbound(ITelegramBotClient bot, TelegramBotIdentity identity)
{
    /// <summary>
    /// The input a message stands for, or null when it is not for the bot: no text, plain conversation in a group
    /// that does not name the bot, or a command for another bot.
    /// </summary>
    public Inbound? FromMessage(Message message, bool isChannel)
    {
        var text = message.Text ?? message.Caption;
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var isPrivate = message.Chat.Type == ChatType.Private;
        if (!text.StartsWith('/') && !isPrivate)
        {
            // In groups and channels plain text is conversation, not a question for the bot, unless it names the bot.
            var mention = identity.Username is { } name ? "@" + name : null;
            if (mention is null || !text.TrimStart().StartsWith(mention, StringComparison.OrdinalIgnoreCase))
                return null;
            text = text.TrimStart()[mention.Length..].Trim();
            if (text.Length == 0)
                text = "/help";
        }
        if (ParsedCommand.Parse(text, identity.Username) is not { } command)
            return null;
        return new Inbound
        {
            Chat = ChatOf(message),
            Kind = isChannel ? ChatKind.Channel : isPrivate ? ChatKind.Private : ChatKind.Group,
            UserId = message.From?.Id.ToString(CultureInfo.InvariantCulture),
            // A channel post has no sender to take a language from; the report's readers mostly read Chinese.
            Lang = isChannel ? Lang.Zh : Langs.FromCode(message.From?.LanguageCode),
            Command = command,
            IsAdmin = ct => IsAdminAsync(message, ct),
        };
    }

    /// <summary>
    /// A pressed button: the message's chat, the presser's language, and the button's token. An action button
    /// ("Follow 2") changes the chat's state as its presser, so the presser's membership is what is asked.
    /// </summary>
    public Inbound FromCallback(CallbackQuery query, Message message) => new()
    {
        Chat = ChatOf(message),
        // Anyone who reads a channel can press its buttons: a press there is asked about like a group member's.
        Kind = message.Chat.Type == ChatType.Private ? ChatKind.Private : ChatKind.Group,
        UserId = query.From.Id.ToString(CultureInfo.InvariantCulture),
        Lang = Langs.FromCode(query.From.LanguageCode),
        PageToken = query.Data ?? "",
        IsAdmin = async ct => message.Chat.Type == ChatType.Private
            || (await bot.GetChatMember(message.Chat.Id, query.From.Id, ct)).Status is ChatMemberStatus.Creator or ChatMemberStatus.Administrator,
    };

    /// <summary>The chat a message belongs to, with its forum topic when it was sent in one.</summary>
    public static ChatAddress ChatOf(Message message) => new(
        Platform.Telegram,
        message.Chat.Id.ToString(CultureInfo.InvariantCulture),
        message.IsTopicMessage && message.MessageThreadId is { } thread ? thread.ToString(CultureInfo.InvariantCulture) : null);

    /// <summary>Where the reply to a message goes: its chat, and its forum topic.</summary>
    public static int? ThreadOf(Message message) => message.IsTopicMessage ? message.MessageThreadId : null;

    private async Task<bool> IsAdminAsync(Message message, CancellationToken ct)
    {
        // An anonymous administrator posts as the group itself.
        if (message.SenderChat?.Id == message.Chat.Id)
            return true;
        if (message.From is null)
            return false;
        var member = await bot.GetChatMember(message.Chat.Id, message.From.Id, ct);
        return member.Status is ChatMemberStatus.Creator or ChatMemberStatus.Administrator;
    }
}
