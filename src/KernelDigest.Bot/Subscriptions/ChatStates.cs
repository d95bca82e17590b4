using KernelDigest.Bot.Chats;
using KernelDigest.Core.Commands;

namespace KernelDigest.Bot.Subscriptions;

/// <summary>
/// What a chat that cannot receive messages means for its subscriptions, decided in one place for every platform and
/// every path (a digest, a reply, the bot removed from a group): a topic that is gone pauses that topic's
/// subscription; a migrated group takes its subscriptions to the new id; anything else pauses the chat's, with the
/// platform's reason for /subscription to show.
/// </summary>
public sealed partial class ChatStates(SubscriptionStore store, DeliverySignal signal, ILogger<ChatStates> logger, Follows.FollowStore? follows = null)
{
    public async Task ApplyAsync(ChatAddress chat, SendResult.Gone gone, CancellationToken ct)
    {
        LogGone(chat.Platform.Key, chat.ThreadId is null ? chat.ChatId : $"{chat.ChatId}/{chat.ThreadId}", gone.Reason, gone.Description,
            gone.NewChatId is null ? "" : " → " + gone.NewChatId);
        switch (gone.Reason)
        {
            case GoneReason.Migrated when gone.NewChatId is { } newId:
                await store.MoveChatAsync(chat.Platform, chat.ChatId, newId, ct);
                if (follows is not null)
                    await follows.MoveChatAsync(chat.Platform, chat.ChatId, newId, ct);
                signal.Wake(); // what was owed to the old id is owed to the new one
                break;
            case GoneReason.TopicGone when chat.ThreadId is not null:
                await store.SetStatusAsync(chat, SubscriptionStatus.Paused, gone.Description, ct);
                if (follows is not null)
                    await follows.PauseChatAsync(chat.Platform, chat.ChatId, chat.ThreadId, gone.Description, ct);
                break;
            default:
                await store.SetChatStatusAsync(chat.Platform, chat.ChatId, SubscriptionStatus.Paused, gone.Description, ct);
                if (follows is not null)
                    await follows.PauseChatAsync(chat.Platform, chat.ChatId, null, gone.Description, ct);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Platform} chat {Chat}: {Reason} ({Description}){NewChatId}")]
    private partial void LogGone(string platform, string chat, GoneReason reason, string description, string newChatId);
}
