using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Telegram.Bot;

namespace KernelDigest.Bot.Tests.TelegramDouble;

/// <summary>Feeding updates: builders (for webhooks) and Enqueue… helpers (for getUpdates).</summary>
public sealed partial class FakeBotApi
{
    private const string UnknownUpdateType = "?";

    /// <summary>
    /// Queues an update for getUpdates and returns its update_id. Accepts a JSON string, a <see cref="JsonNode"/>,
    /// a <see cref="JsonElement"/>, a <c>Telegram.Bot.Types.Update</c> or any object (serialised with <c>JsonBotAPI.Options</c>,
    /// i.e. snake_case). A missing or zero update_id is assigned from the counter; a given one moves the counter past it.
    /// </summary>
    public long EnqueueUpdate(object update)
    {
        ArgumentNullException.ThrowIfNull(update);
        lock (_gate)
            return AddPendingLocked(PrepareUpdateLocked(update));
    }

    /// <summary>
    /// Queues raw JSON as an update, for malformed or unknown updates. A JSON object gets an update_id if it has none;
    /// text that is not a JSON object is served verbatim inside the getUpdates result array (which then breaks the whole response, as it would for a real client).
    /// </summary>
    public long EnqueueRawUpdateJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            node = null;
        }
        lock (_gate)
        {
            if (node is JsonObject)
                return AddPendingLocked(PrepareUpdateLocked(node));
            var id = _nextUpdateId++;
            return AddPendingLocked(new PendingUpdate(id, UnknownUpdateType, json));
        }
    }

    /// <summary>A user's text message (a leading /command gets its bot_command entity). Returns the update_id.</summary>
    public long EnqueueMessage(long chatId, string text, string chatType = "private", long fromId = 1, string? languageCode = "zh-hans", int? threadId = null, bool isTopic = false) =>
        EnqueueUpdate(MessageUpdate(chatId, text, chatType, fromId, languageCode, threadId, isTopic));

    /// <summary>A post in a channel (no from; sender_chat = the channel). Returns the update_id.</summary>
    public long EnqueueChannelPost(long chatId, string text, string? chatUsername = null, string? chatTitle = null) =>
        EnqueueUpdate(ChannelPostUpdate(chatId, text, chatUsername, chatTitle));

    /// <summary>
    /// A press on an inline button of message <paramref name="messageId"/>. The embedded message carries <paramref name="messageText"/>,
    /// or the text and keyboard the bot last sent/edited for that message. The query id becomes valid for answerCallbackQuery.
    /// </summary>
    public long EnqueueCallbackQuery(long chatId, int messageId, string data, long fromId = 1, string? languageCode = null, string? messageText = null) =>
        EnqueueUpdate(CallbackQueryUpdate(chatId, messageId, data, fromId, languageCode, messageText));

    /// <summary>An inline query (@bot query); the id becomes valid for answerInlineQuery. Returns the update_id.</summary>
    public long EnqueueInlineQuery(string query, string offset = "", long fromId = 1, string? languageCode = null, string? chatType = null) =>
        EnqueueUpdate(InlineQueryUpdate(query, offset, fromId, languageCode, chatType));

    /// <summary>
    /// The bot's own membership changed (added: member/administrator; removed: left/kicked; in private chats kicked = blocked).
    /// Also makes getChatMember(chat, bot) answer <paramref name="newStatus"/>. Returns the update_id.
    /// </summary>
    public long EnqueueMyChatMember(long chatId, string newStatus, string oldStatus = "left", string? chatType = null, long fromId = 1, string? languageCode = null) =>
        EnqueueUpdate(MyChatMemberUpdate(chatId, newStatus, oldStatus, chatType, fromId, languageCode));

    /// <summary>Builds (without queueing) the update of <see cref="EnqueueMessage"/>, e.g. for <see cref="PostUpdateToWebhook"/>.</summary>
    public JsonObject MessageUpdate(long chatId, string text, string chatType = "private", long fromId = 1, string? languageCode = "zh-hans", int? threadId = null, bool isTopic = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        CheckChatType(chatType);
        lock (_gate)
        {
            var chat = RegisterChatLocked(chatId, chatType, isForum: isTopic);
            var id = ++_lastMessageId;
            var now = _time.GetUtcNow();
            var message = new JsonObject { ["message_id"] = id };
            if (threadId is { } thread)
                message["message_thread_id"] = thread;
            message["from"] = UserJson(fromId, languageCode);
            message["chat"] = ChatJson(chat);
            message["date"] = now.ToUnixTimeSeconds();
            if (isTopic)
                message["is_topic_message"] = true;
            message["text"] = text;
            var entities = CommandEntity(text);
            if (entities.Count > 0)
                message["entities"] = EntitiesJson(entities);
            _messages[(chatId, id)] = new KnownMessage(text, entities, null, now, FromBot: false);
            return new JsonObject { ["message"] = message };
        }
    }

    /// <summary>Builds (without queueing) the update of <see cref="EnqueueChannelPost"/>.</summary>
    public JsonObject ChannelPostUpdate(long chatId, string text, string? chatUsername = null, string? chatTitle = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        lock (_gate)
        {
            var chat = RegisterChatLocked(chatId, "channel", title: chatTitle, username: chatUsername);
            var id = ++_lastMessageId;
            var now = _time.GetUtcNow();
            var entities = CommandEntity(text);
            var message = new JsonObject
            {
                ["message_id"] = id,
                ["sender_chat"] = ChatJson(chat),
                ["chat"] = ChatJson(chat),
                ["date"] = now.ToUnixTimeSeconds(),
                ["text"] = text,
            };
            if (entities.Count > 0)
                message["entities"] = EntitiesJson(entities);
            _messages[(chatId, id)] = new KnownMessage(text, entities, null, now, FromBot: false);
            return new JsonObject { ["channel_post"] = message };
        }
    }

    /// <summary>Builds (without queueing) the update of <see cref="EnqueueCallbackQuery"/>.</summary>
    public JsonObject CallbackQueryUpdate(long chatId, int messageId, string data, long fromId = 1, string? languageCode = null, string? messageText = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        lock (_gate)
        {
            var chat = ChatLocked(chatId);
            var queryId = NextQueryIdLocked();
            _callbackIds.Add(queryId);
            _messages.TryGetValue((chatId, messageId), out var known);
            var message = new JsonObject { ["message_id"] = messageId };
            if (known?.FromBot ?? true)
            {
                if (chat.Type == "channel")
                    message["sender_chat"] = ChatJson(chat);
                else
                    message["from"] = BotUserJson(full: false);
            }
            message["chat"] = ChatJson(chat);
            message["date"] = (known?.Date ?? _time.GetUtcNow()).ToUnixTimeSeconds();
            if ((messageText ?? known?.Text) is { } text)
            {
                message["text"] = text;
                if (messageText is null && known is { Entities.Count: > 0 })
                    message["entities"] = EntitiesJson(known.Entities);
            }
            if (known?.Markup is { } markup)
                message["reply_markup"] = JsonNode.Parse(markup.GetRawText());
            return new JsonObject
            {
                ["callback_query"] = new JsonObject
                {
                    ["id"] = queryId,
                    ["from"] = UserJson(fromId, languageCode),
                    ["message"] = message,
                    ["chat_instance"] = "-" + (chatId & long.MaxValue).ToString(CultureInfo.InvariantCulture),
                    ["data"] = data,
                },
            };
        }
    }

    /// <summary>Builds (without queueing) the update of <see cref="EnqueueInlineQuery"/>.</summary>
    public JsonObject InlineQueryUpdate(string query, string offset = "", long fromId = 1, string? languageCode = null, string? chatType = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_gate)
        {
            var queryId = NextQueryIdLocked();
            _inlineIds.Add(queryId);
            var inline = new JsonObject
            {
                ["id"] = queryId,
                ["from"] = UserJson(fromId, languageCode),
                ["query"] = query,
                ["offset"] = offset,
            };
            if (chatType is not null)
                inline["chat_type"] = chatType;
            return new JsonObject { ["inline_query"] = inline };
        }
    }

    /// <summary>Builds (without queueing) the update of <see cref="EnqueueMyChatMember"/>.</summary>
    public JsonObject MyChatMemberUpdate(long chatId, string newStatus, string oldStatus = "left", string? chatType = null, long fromId = 1, string? languageCode = null)
    {
        var bot = BotUserJson(full: false);
        var oldMember = ChatMemberJson(oldStatus, BotId, BotId, bot);
        var newMember = ChatMemberJson(newStatus, BotId, BotId, bot);
        if (chatType is not null)
            CheckChatType(chatType);
        lock (_gate)
        {
            var chat = chatType is null ? ChatLocked(chatId) : RegisterChatLocked(chatId, chatType);
            _members[(chatId, BotId)] = newStatus;
            return new JsonObject
            {
                ["my_chat_member"] = new JsonObject
                {
                    ["chat"] = ChatJson(chat),
                    ["from"] = UserJson(fromId, languageCode),
                    ["date"] = _time.GetUtcNow().ToUnixTimeSeconds(),
                    ["old_chat_member"] = oldMember,
                    ["new_chat_member"] = newMember,
                },
            };
        }
    }

    // ---------------------------------------------------------------- internals

    private long AddPendingLocked(PendingUpdate update)
    {
        var index = _pending.FindIndex(u => u.Id > update.Id);
        if (index < 0)
            _pending.Add(update);
        else
            _pending.Insert(index, update);
        PulseLocked();
        return update.Id;
    }

    /// <summary>Turns any accepted update form into JSON with update_id first, and registers its query ids.</summary>
    private PendingUpdate PrepareUpdateLocked(object update)
    {
        var node = update switch
        {
            string s => JsonNode.Parse(s),
            JsonNode n => n.DeepClone(),
            JsonElement e => JsonNode.Parse(e.GetRawText()),
            _ => JsonSerializer.SerializeToNode(update, update.GetType(), JsonBotAPI.Options),
        };
        if (node is not JsonObject source)
            throw new ArgumentException("An update must be a JSON object", nameof(update));

        long id;
        if (source["update_id"] is JsonValue given && given.GetValueKind() == JsonValueKind.Number && given.GetValue<long>() > 0)
        {
            id = given.GetValue<long>();
            _nextUpdateId = Math.Max(_nextUpdateId, id + 1);
        }
        else
        {
            id = _nextUpdateId++;
        }
        var result = new JsonObject { ["update_id"] = id };
        foreach (var (name, value) in source.ToList())
        {
            if (name == "update_id")
                continue;
            source.Remove(name);
            result[name] = value;
        }
        var type = result.Select(p => p.Key).FirstOrDefault(k => k != "update_id") ?? UnknownUpdateType;
        if (result["callback_query"]?["id"] is JsonValue callbackId)
            _callbackIds.Add(callbackId.ToString());
        if (result["inline_query"]?["id"] is JsonValue inlineId)
            _inlineIds.Add(inlineId.ToString());
        return new PendingUpdate(id, type, result.ToJsonString(WriteOptions));
    }

    private string NextQueryIdLocked() => (++_lastQueryId).ToString(CultureInfo.InvariantCulture);

    private ChatInfo RegisterChatLocked(long chatId, string type, string? title = null, string? username = null, bool isForum = false)
    {
        _chats.TryGetValue(chatId, out var old);
        var chat = new ChatInfo(chatId, type, title ?? old?.Title, username ?? old?.Username, isForum || (old?.IsForum ?? false));
        _chats[chatId] = chat;
        return chat;
    }

    /// <summary>The declared chat, or one inferred from the id: &gt; 0 private, ≤ -10^12 supergroup, else group.</summary>
    private ChatInfo ChatLocked(long chatId) =>
        _chats.TryGetValue(chatId, out var chat)
            ? chat
            : new ChatInfo(chatId, chatId > 0 ? "private" : chatId <= -1_000_000_000_000 ? "supergroup" : "group", null, null, false);

    private static void CheckChatType(string type)
    {
        if (type is not ("private" or "group" or "supergroup" or "channel"))
            throw new ArgumentException($"Unknown chat type '{type}' (private, group, supergroup, channel)", nameof(type));
    }

    private static JsonObject ChatJson(ChatInfo chat)
    {
        var json = new JsonObject { ["id"] = chat.Id, ["type"] = chat.Type };
        if (chat.Type == "private")
            json["first_name"] = chat.Title ?? "User" + chat.Id.ToString(CultureInfo.InvariantCulture);
        else
            json["title"] = chat.Title ?? $"{chat.Type} {chat.Id.ToString(CultureInfo.InvariantCulture)}";
        if (chat.Username is not null)
            json["username"] = chat.Username;
        if (chat.IsForum)
            json["is_forum"] = true;
        return json;
    }

    private static JsonObject UserJson(long id, string? languageCode)
    {
        var name = id.ToString(CultureInfo.InvariantCulture);
        var json = new JsonObject { ["id"] = id, ["is_bot"] = false, ["first_name"] = "User" + name, ["username"] = "user" + name };
        if (languageCode is not null)
            json["language_code"] = languageCode;
        return json;
    }

    private JsonObject BotUserJson(bool full)
    {
        var json = new JsonObject { ["id"] = BotId, ["is_bot"] = true, ["first_name"] = BotFirstName, ["username"] = BotUsername };
        if (full)
        {
            json["can_join_groups"] = true;
            json["can_read_all_group_messages"] = false;
            json["supports_inline_queries"] = true;
        }
        return json;
    }

    private JsonObject MessageJson(int id, ChatInfo chat, string text, IReadOnlyList<FakeEntity> entities, JsonElement? inlineMarkup, int? threadId, DateTimeOffset date, DateTimeOffset? editDate)
    {
        var message = new JsonObject { ["message_id"] = id };
        if (threadId is { } thread)
        {
            message["message_thread_id"] = thread;
            if (chat.IsForum)
                message["is_topic_message"] = true;
        }
        if (chat.Type == "channel")
            message["sender_chat"] = ChatJson(chat);
        else
            message["from"] = BotUserJson(full: false);
        message["chat"] = ChatJson(chat);
        message["date"] = date.ToUnixTimeSeconds();
        if (editDate is { } edited)
            message["edit_date"] = edited.ToUnixTimeSeconds();
        message["text"] = text;
        if (entities.Count > 0)
            message["entities"] = EntitiesJson(entities);
        if (inlineMarkup is { } markup)
            message["reply_markup"] = JsonNode.Parse(markup.GetRawText());
        return message;
    }

    private static List<FakeEntity> CommandEntity(string text)
    {
        if (!text.StartsWith('/'))
            return [];
        var end = 1;
        while (end < text.Length && !char.IsWhiteSpace(text[end]))
            end++;
        return end > 1 ? [new FakeEntity("bot_command", 0, end)] : [];
    }

    private static JsonArray EntitiesJson(IReadOnlyList<FakeEntity> entities)
    {
        var array = new JsonArray();
        foreach (var e in entities)
        {
            var json = new JsonObject { ["type"] = e.Type, ["offset"] = e.Offset, ["length"] = e.Length };
            if (e.Url is not null)
                json["url"] = e.Url;
            if (e.Language is not null)
                json["language"] = e.Language;
            if (e.CustomEmojiId is not null)
                json["custom_emoji_id"] = e.CustomEmojiId;
            array.Add(json);
        }
        return array;
    }

    /// <summary>ChatMember JSON for a status, with the fields Telegram sends for it.</summary>
    private static JsonObject ChatMemberJson(string status, long userId, long botId, JsonObject botUser)
    {
        var member = new JsonObject
        {
            ["status"] = status,
            ["user"] = userId == botId ? botUser.DeepClone() : UserJson(userId, null),
        };
        switch (status)
        {
            case "creator":
                member["is_anonymous"] = false;
                break;
            case "administrator":
                member["can_be_edited"] = false;
                member["is_anonymous"] = false;
                member["can_manage_chat"] = true;
                member["can_delete_messages"] = true;
                member["can_manage_video_chats"] = true;
                member["can_restrict_members"] = true;
                member["can_promote_members"] = false;
                member["can_change_info"] = true;
                member["can_invite_users"] = true;
                member["can_post_stories"] = false;
                member["can_edit_stories"] = false;
                member["can_delete_stories"] = false;
                member["can_pin_messages"] = true;
                break;
            case "restricted":
                member["is_member"] = true;
                foreach (var permission in (string[])["can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos", "can_send_videos",
                    "can_send_video_notes", "can_send_voice_notes", "can_send_polls", "can_send_other_messages", "can_add_web_page_previews",
                    "can_change_info", "can_invite_users", "can_pin_messages", "can_manage_topics"])
                    member[permission] = false;
                member["until_date"] = 0;
                break;
            case "kicked":
                member["until_date"] = 0;
                break;
            case "member" or "left":
                break;
            default:
                throw new ArgumentException($"Unknown chat member status '{status}' (creator, administrator, member, restricted, left, kicked)", nameof(status));
        }
        return member;
    }
}
