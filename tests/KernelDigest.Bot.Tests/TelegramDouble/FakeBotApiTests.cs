using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;
using Telegram.Bot.Types.InlineQueryResults;
using Telegram.Bot.Types.ReplyMarkups;

namespace KernelDigest.Bot.Tests.TelegramDouble;

/// <summary>The Bot API double, exercised through the real Telegram.Bot client over HTTP.</summary>
public sealed class FakeBotApiTests
{
    private static TelegramBotClient Client(FakeBotApi fake, string token = "123:TEST") =>
        new(new TelegramBotClientOptions(token, fake.BaseUrl.ToString()) { RetryThreshold = 0 });

    private static Uri Url(FakeBotApi fake, string method) => new(fake.BaseUrl + "bot123:TEST/" + method);

    private static InlineKeyboardMarkup Keyboard(string data) =>
        new([[InlineKeyboardButton.WithCallbackData("下一页", data), InlineKeyboardButton.WithUrl("LKML", "https://lore.kernel.org/")]]);

    [Fact]
    public async Task GetMe_returns_the_bot_and_the_request_is_recorded()
    {
        await using var fake = new FakeBotApi(botUsername: "kd_test_bot");
        var bot = Client(fake);

        var me = await bot.GetMe();

        Assert.True(me.IsBot);
        Assert.Equal(123, me.Id);
        Assert.Equal("kd_test_bot", me.Username);
        Assert.Equal("127.0.0.1", fake.BaseUrl.Host);
        var request = Assert.Single(fake.Requests);
        Assert.Equal("getMe", request.Method);
        Assert.Equal(200, request.StatusCode);
        Assert.Equal(JsonValueKind.Object, request.Body.ValueKind);
        Assert.Contains("Host", request.Headers.Keys);
        Assert.False(request.ViaWebhookResponse);
    }

    [Fact]
    public async Task SendMessage_html_with_inline_keyboard_returns_the_parsed_message_and_is_recorded()
    {
        await using var fake = new FakeBotApi();
        var bot = Client(fake);

        var message = await bot.SendMessage(42, "<b>virtio</b> &amp; <a href=\"https://lore.kernel.org/x\">patch</a> 1 &lt; 2\n",
            parseMode: ParseMode.Html, replyMarkup: Keyboard("p:abc:2"),
            linkPreviewOptions: new LinkPreviewOptions { IsDisabled = true });
        var second = await bot.SendMessage(42, "plain <b> not parsed");

        Assert.Equal("virtio & patch 1 < 2", message.Text);
        Assert.Equal(42, message.Chat.Id);
        Assert.Equal(ChatType.Private, message.Chat.Type);
        Assert.Equal(123, message.From!.Id);
        Assert.Collection(message.Entities!,
            e => Assert.Equal((MessageEntityType.Bold, 0, 6), (e.Type, e.Offset, e.Length)),
            e =>
            {
                Assert.Equal((MessageEntityType.TextLink, 9, 5), (e.Type, e.Offset, e.Length));
                Assert.Equal("https://lore.kernel.org/x", e.Url);
            });
        Assert.Equal("p:abc:2", message.ReplyMarkup!.InlineKeyboard.First().First().CallbackData);
        Assert.Equal(message.Id + 1, second.Id);
        Assert.Equal("plain <b> not parsed", second.Text);

        var sent = fake.SentMessages;
        Assert.Equal(2, sent.Count);
        Assert.Equal(42, sent[0].ChatId);
        Assert.True(sent[0].IsHtml);
        Assert.Equal("Html", sent[0].ParseMode); // Telegram.Bot's spelling; the fake compares case-insensitively
        Assert.StartsWith("<b>virtio</b> &amp;", sent[0].Text);
        Assert.Equal("virtio & patch 1 < 2", sent[0].PlainText);
        Assert.Equal(["p:abc:2", null], sent[0].Buttons.Select(b => b.CallbackData));
        Assert.Equal("https://lore.kernel.org/", sent[0].Buttons[1].Url);
        Assert.True(sent[0].LinkPreviewOptions!.Value.GetProperty("is_disabled").GetBoolean());
        Assert.Null(sent[1].ParseMode);
        Assert.Null(sent[1].ReplyMarkup);
    }

    [Fact]
    public async Task GetUpdates_serves_in_order_until_confirmed_by_offset_and_long_polls_briefly()
    {
        await using var fake = new FakeBotApi(firstUpdateId: 500);
        var bot = Client(fake);
        var a = fake.EnqueueMessage(42, "/patch virtio");
        var b = fake.EnqueueMessage(42, "hello");
        var c = fake.EnqueueInlineQuery("kvm");

        var first = await bot.GetUpdates();
        var again = await bot.GetUpdates();
        var limited = await bot.GetUpdates(limit: 1);
        var rest = await bot.GetUpdates(offset: first[1].Id + 1);

        Assert.Equal(new long[] { 500, 501, 502 }, new[] { a, b, c });
        Assert.Equal(new[] { 500, 501, 502 }, first.Select(u => u.Id));
        Assert.Equal(3, again.Length); // nothing is confirmed without an offset
        Assert.Single(limited);
        Assert.Equal(c, Assert.Single(rest).Id);
        Assert.Equal("/patch virtio", first[0].Message!.Text);
        Assert.Equal("zh-hans", first[0].Message!.From!.LanguageCode);
        Assert.Equal(MessageEntityType.BotCommand, Assert.Single(first[0].Message!.Entities!).Type);
        Assert.Equal(1, fake.PendingUpdateCount);

        var clock = Stopwatch.StartNew();
        var empty = await bot.GetUpdates(offset: (int)c + 1, timeout: 30);
        Assert.Empty(empty);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(800), TimeSpan.FromSeconds(5)); // held ~1 s, not 30
        Assert.Equal(0, fake.PendingUpdateCount);

        fake.LongPollCap = TimeSpan.FromSeconds(20);
        var poll = bot.GetUpdates(offset: (int)c + 1, timeout: 20);
        await fake.WaitFor(f => f.PollsInFlight == 1, TimeSpan.FromSeconds(5));
        var d = fake.EnqueueMessage(-100, "late", chatType: "group");
        Assert.Equal(d, Assert.Single(await poll).Id);
    }

    [Fact]
    public async Task Every_update_helper_produces_JSON_that_Telegram_Bot_deserialises()
    {
        await using var fake = new FakeBotApi();
        var bot = Client(fake);
        var page = await bot.SendMessage(42, "<b>page 1</b>", parseMode: ParseMode.Html, replyMarkup: Keyboard("p:1"));

        fake.EnqueueMessage(-1001234567890, "/digest@kernel_digest_test_bot 2024-05", chatType: "supergroup", fromId: 7, languageCode: "en", threadId: 5, isTopic: true);
        fake.EnqueueChannelPost(-1009876543210, "news", chatUsername: "kernelnews");
        var callback = fake.EnqueueCallbackQuery(42, page.Id, "p:2", fromId: 42);
        fake.EnqueueInlineQuery("virtio", offset: "10", fromId: 9, languageCode: "zh-hant");
        fake.EnqueueMyChatMember(-555, "administrator", chatType: "group");
        fake.EnqueueMyChatMember(42, "kicked", oldStatus: "member");
        var raw = fake.EnqueueRawUpdateJson("{\"update_id\":9000,\"some_future_update\":{\"x\":1}}");
        var typed = fake.EnqueueUpdate(new Update { Message = new Message { Id = 77, Date = DateTime.UtcNow, Chat = new Chat { Id = 5, Type = ChatType.Private }, Text = "typed" } });

        var updates = await bot.GetUpdates();

        Assert.Equal(8, updates.Length);
        var topic = updates[0].Message!;
        Assert.Equal(ChatType.Supergroup, topic.Chat.Type);
        Assert.Equal(5, topic.MessageThreadId);
        Assert.True(topic.IsTopicMessage);
        Assert.True(topic.Chat.IsForum);
        Assert.Equal((7L, "en"), (topic.From!.Id, topic.From.LanguageCode));
        Assert.Equal(30, topic.Entities![0].Length);

        var post = updates[1].ChannelPost!;
        Assert.Equal((ChatType.Channel, "kernelnews", "news"), (post.Chat.Type, post.Chat.Username, post.Text));

        var press = updates[2].CallbackQuery!;
        Assert.Equal(callback, updates[2].Id);
        Assert.Equal(("p:2", 42L, page.Id, "page 1"), (press.Data, press.From.Id, press.Message!.Id, press.Message.Text));
        Assert.Equal("p:1", press.Message.ReplyMarkup!.InlineKeyboard.First().First().CallbackData);

        var inline = updates[3].InlineQuery!;
        Assert.Equal(("virtio", "10", "zh-hant"), (inline.Query, inline.Offset, inline.From.LanguageCode));

        Assert.Equal(ChatMemberStatus.Administrator, updates[4].MyChatMember!.NewChatMember.Status);
        Assert.Equal(ChatMemberStatus.Left, updates[4].MyChatMember!.OldChatMember.Status);
        Assert.Equal(ChatType.Group, updates[4].MyChatMember!.Chat.Type);
        Assert.Equal(ChatMemberStatus.Kicked, updates[5].MyChatMember!.NewChatMember.Status);
        Assert.Equal((UpdateType.Unknown, 9000), (updates[6].Type, updates[6].Id));
        Assert.Equal(raw, updates[6].Id);
        Assert.Equal(((int)typed, "typed"), (updates[7].Id, updates[7].Message!.Text));
        Assert.Equal(ChatMemberStatus.Administrator, (await bot.GetChatMember(-555, 123)).Status);

        await bot.AnswerCallbackQuery(press.Id, "翻页中", showAlert: true);
        var answer = Assert.Single(fake.CallbackAnswers);
        Assert.Equal((press.Id, "翻页中", true), (answer.CallbackQueryId, answer.Text, answer.ShowAlert));
        var stale = await Assert.ThrowsAsync<ApiRequestException>(() => bot.AnswerCallbackQuery("12345"));
        Assert.Equal((400, FakeBotApi.QueryTooOld), (stale.ErrorCode, stale.Message));
    }

    [Fact]
    public async Task Chats_keep_their_declared_type_and_username_ids_resolve()
    {
        await using var fake = new FakeBotApi();
        var bot = Client(fake);
        fake.EnqueueChannelPost(-1009876543210, "news", chatUsername: "kernelnews");
        fake.SetChat(-200, "supergroup", title: "Kernel CN", isForum: true);

        var toChannel = await bot.SendMessage("@kernelnews", "digest");
        var toTopic = await bot.SendMessage(-200, "topic", messageThreadId: 9);
        var missing = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage("@nobody", "x"));
        var noText = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(1, ""));

        Assert.Equal((-1009876543210, ChatType.Channel), (toChannel.Chat.Id, toChannel.Chat.Type));
        Assert.Equal(-1009876543210, fake.SentMessages[0].ChatId);
        Assert.Equal(("Kernel CN", 9), (toTopic.Chat.Title, toTopic.MessageThreadId ?? 0));
        Assert.True(toTopic.IsTopicMessage);
        Assert.Equal(9, fake.SentMessages[1].MessageThreadId);
        Assert.Equal((400, "Bad Request: chat not found"), (missing.ErrorCode, missing.Message));
        Assert.Equal("Bad Request: message text is empty", noText.Message);
    }

    [Fact]
    public async Task FailNext_429_gives_retry_after_then_the_call_succeeds()
    {
        await using var fake = new FakeBotApi();
        var bot = Client(fake);
        fake.FailNext("sendMessage", 429, "Too Many Requests: retry after 7", retryAfter: 7);

        var error = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(42, "x"));
        await bot.SendMessage(42, "y");

        Assert.Equal(429, error.ErrorCode);
        Assert.Equal(7, error.Parameters?.RetryAfter);
        Assert.Equal("Too Many Requests: retry after 7", error.Message);
        Assert.Equal(1, fake.TooManyRequestsSent);
        Assert.Equal([429, 200], fake.RequestsFor("sendMessage").Select(r => r.StatusCode));
        Assert.Equal("y", Assert.Single(fake.SentMessages).Text);
    }

    [Fact]
    public async Task FailNext_403_blocked_applies_to_one_chat_as_often_as_asked()
    {
        await using var fake = new FakeBotApi();
        var bot = Client(fake);
        fake.FailNext("SENDMESSAGE", 403, "Forbidden: bot was blocked by the user", times: int.MaxValue, chatId: 42);

        var first = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(42, "a"));
        var second = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(42, "b"));
        await bot.SendMessage(43, "c");

        Assert.Equal((403, "Forbidden: bot was blocked by the user"), (first.ErrorCode, first.Message));
        Assert.Equal(403, second.ErrorCode);
        Assert.Null(first.Parameters);
        Assert.Equal(43, Assert.Single(fake.SentMessages).ChatId);
        fake.ClearFaults();
        await bot.SendMessage(42, "d");
    }

    [Fact]
    public async Task FailNext_400_migrate_carries_the_new_chat_id()
    {
        await using var fake = new FakeBotApi();
        var bot = Client(fake);
        fake.FailNext("sendMessage", 400, "Bad Request: group chat was upgraded to a supergroup chat", migrateToChatId: -1001234567890);

        var error = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(-4242, "digest"));

        Assert.Equal(400, error.ErrorCode);
        Assert.Equal(-1001234567890, error.Parameters?.MigrateToChatId);
        Assert.Contains("upgraded to a supergroup", error.Message, StringComparison.Ordinal);
        Assert.Equal(400, Assert.Single(fake.Requests).StatusCode);
    }

    [Theory]
    [InlineData("<b>bold", "Can't find end tag corresponding to start tag \"b\"")]
    [InlineData("<b>x</i>", "Unmatched end tag at byte offset 4, expected \"</b>\", found \"</i>\"")]
    [InlineData("补丁 <patch> b", "Unsupported start tag \"patch\" at byte offset 7")]
    [InlineData("1 < 2", "Unsupported start tag \"\" at byte offset 2")]
    [InlineData("x</b>", "Unexpected end tag at byte offset 1")]
    [InlineData("<a href=\"https://x", "Unclosed start tag at byte offset 0")]
    [InlineData("<span>x</span>", "Tag \"span\" must have class \"tg-spoiler\"")]
    [InlineData("<div>x</div>", "Unsupported start tag \"div\"")]
    [InlineData("Tom & Jerry", "Unsupported HTML entity at byte offset 4")]
    [InlineData("&nbsp;", "Unsupported HTML entity")]
    public async Task Malformed_html_is_rejected_with_cant_parse_entities(string html, string detail)
    {
        await using var fake = new FakeBotApi();
        var bot = Client(fake);

        var error = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(42, html, parseMode: ParseMode.Html));

        Assert.Equal(400, error.ErrorCode);
        Assert.StartsWith("Bad Request: can't parse entities: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(detail, error.Message, StringComparison.Ordinal);
        Assert.Empty(fake.SentMessages);
    }

    [Fact]
    public async Task Well_formed_html_of_every_allowed_tag_is_accepted()
    {
        await using var fake = new FakeBotApi();
        var bot = Client(fake);

        var code = await bot.SendMessage(42, "<pre><code class=\"language-c\">if (a &lt; b) return;</code></pre>", parseMode: ParseMode.Html);
        var mixed = await bot.SendMessage(42,
            "<B>b</B><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike><del>d</del>"
            + "<tg-spoiler>p</tg-spoiler><span class=\"tg-spoiler\">q</span><code>c</code><blockquote expandable>z</blockquote>"
            + "<a href='https://kernel.org/?a=1&amp;b=2'>l</a> &#20013;&#x6587; &quot;ok&quot;",
            parseMode: ParseMode.Html);

        Assert.Equal("if (a < b) return;", code.Text);
        var pre = Assert.Single(code.Entities!);
        Assert.Equal((MessageEntityType.Pre, "c"), (pre.Type, pre.Language));
        Assert.Equal("bsieunskdpqczl 中文 \"ok\"", mixed.Text);
        Assert.Equal(14, mixed.Entities!.Length);
        Assert.Equal("https://kernel.org/?a=1&b=2", mixed.Entities.Single(e => e.Type == MessageEntityType.TextLink).Url);
        Assert.Contains(mixed.Entities, e => e.Type == MessageEntityType.ExpandableBlockquote);
    }

    [Fact]
    public async Task Text_length_is_counted_after_entity_parsing()
    {
        await using var fake = new FakeBotApi();
        var bot = Client(fake);

        await bot.SendMessage(42, "<b>" + new string('x', 4096) + "</b>", parseMode: ParseMode.Html);
        await bot.SendMessage(42, string.Concat(Enumerable.Repeat("&lt;", 4096)), parseMode: ParseMode.Html);
        var tooLong = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(42, new string('x', 4097)));
        var empty = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(42, "<b> </b>\n", parseMode: ParseMode.Html));

        Assert.Equal((400, "Bad Request: message is too long"), (tooLong.ErrorCode, tooLong.Message));
        Assert.Equal((400, "Bad Request: message text is empty"), (empty.ErrorCode, empty.Message));
        Assert.Equal(4096, fake.SentMessages[1].PlainText.Length);
    }

    [Fact]
    public async Task Callback_data_is_limited_to_64_utf8_bytes()
    {
        await using var fake = new FakeBotApi();
        var bot = Client(fake);

        await bot.SendMessage(42, "ok", replyMarkup: Keyboard(new string('补', 21))); // 63 bytes
        var error = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(42, "no", replyMarkup: Keyboard(new string('补', 22)))); // 66 bytes

        Assert.Equal((400, "Bad Request: BUTTON_DATA_INVALID"), (error.ErrorCode, error.Message));
        Assert.Single(fake.SentMessages);
    }

    [Fact]
    public async Task Wrong_token_gets_401_unknown_method_404_and_other_encodings_work()
    {
        await using var fake = new FakeBotApi();
        var wrong = Client(fake, "999:WRONG");

        var unauthorized = await Assert.ThrowsAsync<ApiRequestException>(() => wrong.GetMe());

        Assert.Equal((401, "Unauthorized"), (unauthorized.ErrorCode, unauthorized.Message));
        using var http = new HttpClient();
        using var unknown = await http.PostAsync(Url(fake, "sendTelepathy"), null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("{\"ok\":false,\"error_code\":404,\"description\":\"Not Found\"}", await unknown.Content.ReadAsStringAsync());
        using var shouting = await http.PostAsync(Url(fake, "GETME"), null);
        Assert.Equal(HttpStatusCode.OK, shouting.StatusCode);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["chat_id"] = "77",
            ["text"] = "<i>form</i>",
            ["parse_mode"] = "HTML",
            ["reply_markup"] = "{\"inline_keyboard\":[[{\"text\":\"a\",\"callback_data\":\"b\"}]]}",
        });
        using var posted = await http.PostAsync(Url(fake, "sendMessage"), form);
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var sent = Assert.Single(fake.SentMessages);
        Assert.Equal((77L, "form", "b"), (sent.ChatId, sent.PlainText, sent.Buttons[0].CallbackData));
        using var multipart = new MultipartFormDataContent { { new StringContent("78"), "chat_id" }, { new StringContent("multi"), "text" } };
        using var postedMultipart = await http.PostAsync(Url(fake, "sendMessage"), multipart);
        Assert.Equal(HttpStatusCode.OK, postedMultipart.StatusCode);
        Assert.Equal(78, fake.SentMessages[1].ChatId);
    }

    [Fact]
    public async Task Html_error_page_from_a_proxy_surfaces_as_a_plain_RequestException()
    {
        await using var fake = new FakeBotApi();
        var bot = Client(fake);
        fake.FailNextWithHtml("getMe", 502);

        var error = await Assert.ThrowsAsync<RequestException>(() => bot.GetMe());
        await bot.GetMe();

        Assert.IsNotType<ApiRequestException>(error);
        Assert.Equal(HttpStatusCode.BadGateway, error.HttpStatusCode);
    }

    [Fact]
    public async Task RateLimit_answers_429_with_retry_after_per_chat_per_group_and_globally()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var fake = new FakeBotApi(timeProvider: time);
        var bot = Client(fake);

        fake.RateLimit(perSecondGlobal: 30, perSecondPerChat: 1);
        await bot.SendMessage(42, "1");
        var perChat = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(42, "2"));
        time.Advance(TimeSpan.FromSeconds(1));
        await bot.SendMessage(42, "3");

        fake.RateLimit(perSecondGlobal: 1000, perMinutePerGroup: 20);
        for (var i = 0; i < 20; i++)
            await bot.SendMessage(-100, "g" + i);
        var perGroup = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(-100, "g20"));
        time.Advance(TimeSpan.FromSeconds(15));
        var stillLimited = await Assert.ThrowsAsync<ApiRequestException>(() => bot.EditMessageText(-100, fake.SentMessages[^1].MessageId, "edited"));

        fake.RateLimit(perSecondGlobal: 3);
        for (var i = 0; i < 3; i++)
            await bot.SendMessage(1000 + i, "x");
        var global = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(2000, "x"));

        Assert.Equal((429, "Too Many Requests: retry after 1"), (perChat.ErrorCode, perChat.Message));
        Assert.Equal(1, perChat.Parameters?.RetryAfter);
        Assert.Equal(429, perGroup.ErrorCode);
        Assert.Equal(60, perGroup.Parameters?.RetryAfter);
        Assert.Equal(45, stillLimited.Parameters?.RetryAfter);
        Assert.Equal(429, global.ErrorCode);
        Assert.Equal(1, global.Parameters?.RetryAfter);
        Assert.Equal(4, fake.TooManyRequestsSent);
        Assert.Equal(2 + 20 + 3, fake.SentMessages.Count);
    }

    [Fact]
    public async Task Webhook_state_is_recorded_and_blocks_getUpdates_until_deleted()
    {
        await using var fake = new FakeBotApi();
        var bot = Client(fake);
        fake.EnqueueMessage(42, "old");

        await bot.SetWebhook("https://bot.example.org:8443/tg/hook", secretToken: "s3cret_-X", allowedUpdates: [UpdateType.Message, UpdateType.CallbackQuery], dropPendingUpdates: true);
        var info = await bot.GetWebhookInfo();
        var conflict = await Assert.ThrowsAsync<ApiRequestException>(() => bot.GetUpdates());
        var plainHttp = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SetWebhook("http://bot.example.org/hook"));
        var badPort = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SetWebhook("https://bot.example.org:9000/hook"));
        var badSecret = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SetWebhook("https://bot.example.org/hook", secretToken: "has space"));
        await bot.DeleteWebhook();
        var afterDelete = await bot.GetWebhookInfo();
        fake.EnqueueChannelPost(-100, "filtered out by allowed_updates");
        var updates = await bot.GetUpdates();

        var set = fake.WebhookCalls[0];
        Assert.Equal(("setWebhook", "https://bot.example.org:8443/tg/hook", "s3cret_-X", true), (set.Method, set.Url, set.SecretToken, set.DropPendingUpdates));
        Assert.Equal(["message", "callback_query"], set.AllowedUpdates!);
        Assert.Equal("deleteWebhook", fake.WebhookCalls[1].Method);
        Assert.Equal(("https://bot.example.org:8443/tg/hook", 0), (info.Url, info.PendingUpdateCount));
        Assert.Equal(409, conflict.ErrorCode);
        Assert.Contains("webhook is active", conflict.Message, StringComparison.Ordinal);
        Assert.Contains("HTTPS URL", plainHttp.Message, StringComparison.Ordinal);
        Assert.Equal(400, badPort.ErrorCode);
        Assert.Equal(400, badSecret.ErrorCode);
        Assert.Equal("", afterDelete.Url);
        Assert.Empty(updates);
        Assert.Equal("", fake.WebhookUrl);
    }

    [Fact]
    public async Task PostUpdateToWebhook_sends_the_secret_header_and_runs_a_method_in_the_reply()
    {
        await using var fake = new FakeBotApi();
        var received = new ConcurrentQueue<(string? Secret, string Body)>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var receiver = builder.Build();
        receiver.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var secret = context.Request.Headers.TryGetValue("X-Telegram-Bot-Api-Secret-Token", out var s) ? s.ToString() : null;
            received.Enqueue((secret, body));
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"method\":\"sendMessage\",\"chat_id\":42,\"text\":\"<b>pong</b>\",\"parse_mode\":\"HTML\"}");
        });
        await receiver.StartAsync();
        var hook = new Uri(receiver.Urls.First() + "/tg/hook");

        using var withSecret = await fake.PostUpdateToWebhook(hook, fake.MessageUpdate(42, "/ping"), "s3cret");
        using var withoutSecret = await fake.PostUpdateToWebhook(hook, new { message = new { message_id = 9, date = 1_700_000_000, chat = new { id = 42, type = "private" }, text = "anon" } }, null);
        await receiver.StopAsync();

        Assert.Equal(HttpStatusCode.OK, withSecret.StatusCode);
        Assert.Contains("pong", await withSecret.Content.ReadAsStringAsync(), StringComparison.Ordinal); // still readable
        var calls = received.ToArray();
        Assert.Equal("s3cret", calls[0].Secret);
        Assert.Null(calls[1].Secret);
        var first = JsonSerializer.Deserialize<Update>(calls[0].Body, JsonBotAPI.Options)!;
        var second = JsonSerializer.Deserialize<Update>(calls[1].Body, JsonBotAPI.Options)!;
        Assert.Equal(("/ping", "zh-hans"), (first.Message!.Text, first.Message.From!.LanguageCode));
        Assert.Equal(("anon", first.Id + 1), (second.Message!.Text, second.Id));
        Assert.Equal(2, fake.SentMessages.Count);
        Assert.All(fake.SentMessages, m => Assert.Equal("pong", m.PlainText));
        Assert.All(fake.Requests, r => Assert.True(r.ViaWebhookResponse));
    }

    [Fact]
    public async Task Commands_are_stored_per_scope_and_language_and_validated()
    {
        await using var fake = new FakeBotApi();
        var bot = Client(fake);

        await bot.SetMyCommands([new BotCommand("patch", "搜索补丁"), new BotCommand("subsystem", "按子系统浏览")], BotCommandScope.AllGroupChats(), "zh");
        await bot.SetMyCommands([new BotCommand("patch", "Search patches")]);
        var groupZh = await bot.GetMyCommands(BotCommandScope.AllGroupChats(), "zh");
        var defaults = await bot.GetMyCommands();
        var none = await bot.GetMyCommands(BotCommandScope.AllPrivateChats());
        var region = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SetMyCommands([new BotCommand("patch", "x")], languageCode: "zh-CN"));
        var upper = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SetMyCommands([new BotCommand("Patch", "x")]));

        var first = fake.Commands[0];
        Assert.Equal(("all_group_chats", "zh", false), (first.ScopeType, first.LanguageCode, first.IsDelete));
        Assert.Equal([new RecordedCommand("patch", "搜索补丁"), new RecordedCommand("subsystem", "按子系统浏览")], first.Commands);
        Assert.Equal(("default", (string?)null), (fake.Commands[1].ScopeType, fake.Commands[1].LanguageCode));
        Assert.Equal(["patch", "subsystem"], groupZh.Select(c => c.Command));
        Assert.Equal("Search patches", Assert.Single(defaults).Description);
        Assert.Empty(none);
        Assert.Equal(400, region.ErrorCode);
        Assert.Equal("Bad Request: BOT_COMMAND_INVALID", upper.Message);
    }

    [Fact]
    public async Task EditMessageText_validates_and_reports_unchanged_content()
    {
        await using var fake = new FakeBotApi();
        var bot = Client(fake);
        var page = await bot.SendMessage(42, "page 1", replyMarkup: Keyboard("p:2"));

        var edited = await bot.EditMessageText(42, page.Id, "<i>page 2</i>", parseMode: ParseMode.Html, replyMarkup: Keyboard("p:3"));
        var same = await Assert.ThrowsAsync<ApiRequestException>(() => bot.EditMessageText(42, page.Id, "<i>page 2</i>", parseMode: ParseMode.Html, replyMarkup: Keyboard("p:3")));
        var broken = await Assert.ThrowsAsync<ApiRequestException>(() => bot.EditMessageText(42, page.Id, "<i>page 3", parseMode: ParseMode.Html));

        Assert.Equal(("page 2", page.Id), (edited.Text, edited.Id));
        Assert.NotNull(edited.EditDate);
        Assert.Equal(FakeBotApi.MessageNotModified, same.Message);
        Assert.Contains("can't parse entities", broken.Message, StringComparison.Ordinal);
        var record = Assert.Single(fake.EditedMessages);
        Assert.Equal(((long?)42, (int?)page.Id, "page 2", "p:3"), (record.ChatId, record.MessageId, record.PlainText, record.Buttons[0].CallbackData));
    }

    [Fact]
    public async Task AnswerInlineQuery_checks_count_ids_offset_and_message_markup()
    {
        await using var fake = new FakeBotApi();
        var bot = Client(fake);
        fake.EnqueueInlineQuery("virtio");
        var query = (await bot.GetUpdates()).Single().InlineQuery!;

        static InlineQueryResultArticle Article(string id, string text = "<b>x</b>") =>
            new(id, "title " + id, new InputTextMessageContent(text) { ParseMode = ParseMode.Html });

        await bot.AnswerInlineQuery(query.Id, [Article("a"), Article("b")], cacheTime: 10, isPersonal: true, nextOffset: "2");
        var tooMany = await Assert.ThrowsAsync<ApiRequestException>(() => bot.AnswerInlineQuery(query.Id, Enumerable.Range(0, 51).Select(i => Article("r" + i))));
        var longId = await Assert.ThrowsAsync<ApiRequestException>(() => bot.AnswerInlineQuery(query.Id, [Article(new string('i', 65))]));
        var duplicate = await Assert.ThrowsAsync<ApiRequestException>(() => bot.AnswerInlineQuery(query.Id, [Article("a"), Article("a")]));
        var longOffset = await Assert.ThrowsAsync<ApiRequestException>(() => bot.AnswerInlineQuery(query.Id, [Article("a")], nextOffset: new string('9', 65)));
        var badHtml = await Assert.ThrowsAsync<ApiRequestException>(() => bot.AnswerInlineQuery(query.Id, [Article("a", "<b>x")]));
        var unknown = await Assert.ThrowsAsync<ApiRequestException>(() => bot.AnswerInlineQuery("999", [Article("a")]));

        var answer = Assert.Single(fake.InlineAnswers);
        Assert.Equal((query.Id, 2, "2", (int?)10, true), (answer.InlineQueryId, answer.ResultCount, answer.NextOffset, answer.CacheTime, answer.IsPersonal));
        Assert.Equal(["a", "b"], answer.ResultIds);
        Assert.Equal("Bad Request: RESULTS_TOO_MUCH", tooMany.Message);
        Assert.Equal("Bad Request: RESULT_ID_INVALID", longId.Message);
        Assert.Equal("Bad Request: RESULT_ID_DUPLICATE", duplicate.Message);
        Assert.Equal("Bad Request: NEXT_OFFSET_INVALID", longOffset.Message);
        Assert.Contains("can't parse entities", badHtml.Message, StringComparison.Ordinal);
        Assert.Equal(FakeBotApi.QueryTooOld, unknown.Message);
    }

    [Fact]
    public async Task GetChatMember_answers_from_the_table_with_member_as_default()
    {
        await using var fake = new FakeBotApi();
        var bot = Client(fake);
        fake.SetChatMember(-100, 7, "administrator");
        fake.SetChatMember(-100, 8, "creator");
        fake.SetChatMember(-100, 9, "kicked");
        fake.SetChatMember(-100, 10, "restricted");

        var admin = await bot.GetChatMember(-100, 7);

        Assert.Equal(ChatMemberStatus.Administrator, admin.Status);
        Assert.True(admin.IsAdmin);
        Assert.Equal(7, admin.User.Id);
        Assert.Equal(ChatMemberStatus.Creator, (await bot.GetChatMember(-100, 8)).Status);
        Assert.Equal(ChatMemberStatus.Kicked, (await bot.GetChatMember(-100, 9)).Status);
        Assert.Equal(ChatMemberStatus.Restricted, (await bot.GetChatMember(-100, 10)).Status);
        Assert.Equal(ChatMemberStatus.Member, (await bot.GetChatMember(-100, 11)).Status);
        Assert.Equal(2, (await bot.GetChatAdministrators(-100)).Length);
        Assert.Throws<ArgumentException>(() => fake.SetChatMember(1, 2, "owner"));
    }

    [Fact]
    public async Task A_second_poller_terminates_the_first_with_409()
    {
        await using var fake = new FakeBotApi();
        fake.LongPollCap = TimeSpan.FromSeconds(20);
        var first = Client(fake).GetUpdates(timeout: 20);
        await fake.WaitFor(f => f.PollsInFlight == 1, TimeSpan.FromSeconds(5));

        var second = await Client(fake).GetUpdates(timeout: 0);
        var error = await Assert.ThrowsAsync<ApiRequestException>(() => first);

        Assert.Empty(second);
        Assert.Equal(409, error.ErrorCode);
        Assert.Contains("terminated by other getUpdates request", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitFor_returns_the_value_once_it_appears_and_times_out_otherwise()
    {
        await using var fake = new FakeBotApi();
        var bot = Client(fake);

        var sending = bot.SendMessage(5, "later");
        var sent = await fake.WaitForSentMessage(m => m.ChatId == 5);
        await sending;
        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => fake.WaitFor(f => f.SentMessages.Count > 1, TimeSpan.FromMilliseconds(50)));

        Assert.Equal("later", sent.Text);
        Assert.Contains("sendMessage → 200", timeout.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DelayNext_holds_a_call_long_enough_for_a_client_timeout()
    {
        await using var fake = new FakeBotApi();
        var bot = Client(fake);
        bot.Timeout = TimeSpan.FromMilliseconds(200);
        fake.DelayNext("getMe", TimeSpan.FromSeconds(3));

        var error = await Assert.ThrowsAsync<RequestException>(() => bot.GetMe());
        var me = await bot.GetMe();

        Assert.Contains("timed out", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(123, me.Id);
    }
}
