using KernelDigest.Bot.Tests.TelegramDouble;

namespace KernelDigest.Bot.Tests.TelegramChat;

/// <summary>One bot in polling mode against one Bot API double, shared by the tests of a class.</summary>
public sealed class TelegramBotFixture : IAsyncLifetime
{
    public FakeBotApi Api { get; private set; } = null!;
    public InProcessBot Bot { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Api = await FakeBotApi.StartAsync();
        Bot = await TelegramPollingTests.StartBotAsync(Api);
        await Bot.WaitForLog("started (polling)", TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        await Bot.DisposeAsync();
        await Api.DisposeAsync();
    }
}

/// <summary>The bot on Telegram in polling mode: the real app and the real TelegramBotClient against the Bot API double.</summary>
public sealed class TelegramPollingTests(TelegramBotFixture fixture) : IClassFixture<TelegramBotFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly FakeBotApi _api = fixture.Api;
    private readonly InProcessBot _bot = fixture.Bot;

    /// <summary>The bot in Telegram webhook mode against the double, its webhook guarded by <paramref name="secret"/>.</summary>
    internal static Dictionary<string, string> WebhookSettings(FakeBotApi api, string secret) => new()
    {
        ["Telegram__BotToken"] = api.Token,
        ["Telegram__ApiBaseUrl"] = api.BaseUrl.ToString(),
        ["Telegram__Mode"] = "webhook",
        ["Telegram__WebhookUrl"] = "https://bot.example.org/telegram/webhook",
        ["Telegram__WebhookSecret"] = secret,
    };

    internal static Task<InProcessBot> StartBotAsync(FakeBotApi api, string? dataDirectory = null, Dictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Telegram__BotToken"] = api.Token,
            ["Telegram__ApiBaseUrl"] = api.BaseUrl.ToString(),
            ["Telegram__PollTimeoutSeconds"] = "1",
        };
        foreach (var (k, v) in extra ?? [])
            settings[k] = v;
        return InProcessBot.StartAsync(settings, dataDirectory);
    }

    [Fact]
    public async Task Start_up_sets_the_command_menu_in_both_languages_and_removes_any_webhook()
    {
        await _api.WaitForRequests("deleteWebhook");
        var calls = _api.Commands;
        Assert.Contains(calls, c => c.LanguageCode == "zh" && c.Commands.Any(x => x.Command == "patch" && x.Description.Contains("搜索", StringComparison.Ordinal)));
        Assert.Contains(calls, c => c.LanguageCode == "en" && c.Commands.Any(x => x.Command == "patch" && x.Description.Contains("search", StringComparison.Ordinal)));
        Assert.Equal(KernelDigest.Core.Commands.CommandTable.All.Select(c => c.Name), calls.First(c => c.LanguageCode == "en").Commands.Select(c => c.Command));
    }

    [Theory]
    [InlineData("/patch TDP MMU", "zh-hans", "搜索:TDP MMU", "Introducethe TDP MMU")]
    [InlineData("/patch TDP MMU", "en", "Search: TDP MMU", "Introducethe TDP MMU")]
    [InlineData("fchmodat2", "en", "Search: fchmodat2", "新的vfs系统调用:fchmodat2")]
    [InlineData("/subsystem kvm", "en", "Virtualization · 2020-09", "Add support for Nitro Enclaves")]
    [InlineData("/month 2020-09", "zh-hans", "Linux阅码场 - Linux内核月报(2020年09月)", "基于成本模型的IO权重限速:blk-iocost")]
    [InlineData("/latest", "en", "Linux阅码场 - Linux内核月报(2020年09月)", "arm/arm64: Turning IPIs into normal interrupts")]
    [InlineData("/help", "en", "KernelDigest: the Linux kernel monthly report bot", "/subsystem")]
    [InlineData("/about", "zh-hans", "关于 KernelDigest", "15")]
    [InlineData("/PATCH@kernel_digest_test_bot bus lock", "en", "Search: bus lock", "add bus lock VM exit support")]
    public async Task Each_command_is_answered_in_the_users_language(string text, string language, string title, string expected)
    {
        var chat = Random.Shared.NextInt64(10_000, 1_000_000);
        _api.EnqueueMessage(chat, text, languageCode: language);

        var sent = await _api.WaitForSentMessage(m => m.ChatId == chat, Patience);

        Assert.True(sent.IsHtml);
        Assert.StartsWith(title, sent.PlainText, StringComparison.Ordinal);
        Assert.Contains(expected, sent.PlainText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_groups_only_messages_for_this_bot_are_answered_in_the_same_topic()
    {
        const long group = -100123;
        _api.EnqueueMessage(group, "just chatting about TDP MMU", chatType: "supergroup");
        _api.EnqueueMessage(group, "/patch@otherbot fuse", chatType: "supergroup");
        _api.EnqueueMessage(group, "/patch@kernel_digest_test_bot fuse", chatType: "supergroup", threadId: 77, isTopic: true);

        var sent = await _api.WaitForSentMessage(m => m.ChatId == group, Patience);
        await WaitUntilEveryUpdateIsHandled(_api);

        Assert.Contains("fuse支持 passthrough 读/写", sent.PlainText, StringComparison.Ordinal);
        Assert.Equal(77, sent.MessageThreadId);
        Assert.Single(_api.SentMessages, m => m.ChatId == group);
    }

    [Fact]
    public async Task Page_buttons_edit_the_message_in_place_and_every_press_is_answered()
    {
        const long chat = 4242;
        _api.EnqueueMessage(chat, "/patch 虚拟机", languageCode: "en");
        var first = await _api.WaitForSentMessage(m => m.ChatId == chat, Patience);
        var next = Assert.Single(first.Buttons, b => b.Text == "Next ›");
        Assert.Contains("Page 1/", first.PlainText, StringComparison.Ordinal);

        _api.EnqueueCallbackQuery(chat, first.MessageId, next.CallbackData!, languageCode: "en", messageText: first.PlainText);

        var edited = await _api.WaitFor(a => a.EditedMessages.FirstOrDefault(e => e.MessageId == first.MessageId), Patience);
        Assert.Contains("Page 2/", edited.PlainText, StringComparison.Ordinal);
        Assert.StartsWith("Search: 虚拟机", edited.PlainText, StringComparison.Ordinal);
        Assert.Contains(edited.Buttons, b => b.Text == "‹ Prev");
        await _api.WaitFor(a => a.CallbackAnswers.Count > 0 ? true : (bool?)null, TimeSpan.FromSeconds(10));

        // A press on a button the bot cannot read is still answered, so the user's spinner stops.
        var answered = _api.CallbackAnswers.Count;
        _api.EnqueueCallbackQuery(chat, first.MessageId, "garbage", messageText: first.PlainText);
        await _api.WaitFor(a => a.CallbackAnswers.Count > answered ? true : (bool?)null, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Inline_queries_get_ranked_articles_with_paging_offsets()
    {
        _api.EnqueueInlineQuery("TDP MMU");
        var answer = await _api.WaitFor(a => a.InlineAnswers.Count > 0 ? a.InlineAnswers[0] : null, Patience);
        Assert.InRange(answer.ResultCount, 1, 10);
        Assert.Equal(300, answer.CacheTime);
        Assert.Contains("TDP MMU", answer.Results[0].GetProperty("title").GetString(), StringComparison.Ordinal);

        _api.EnqueueInlineQuery("");
        var page1 = await _api.WaitFor(a => a.InlineAnswers.Skip(1).FirstOrDefault(), Patience);
        Assert.Equal(10, page1.ResultCount);
        Assert.Equal("10", page1.NextOffset);

        _api.EnqueueInlineQuery("", offset: "10");
        var page2 = await _api.WaitFor(a => a.InlineAnswers.Skip(2).FirstOrDefault(), Patience);
        Assert.Equal(5, page2.ResultCount);
        Assert.True(string.IsNullOrEmpty(page2.NextOffset));
        Assert.Empty(page1.ResultIds.Intersect(page2.ResultIds));
    }

    [Fact]
    public async Task Hostile_input_is_shown_literally_and_a_huge_reply_is_split_into_valid_messages()
    {
        const long chat = 5151;
        var emoji = string.Concat(Enumerable.Repeat("😀", 4000));
        _api.EnqueueMessage(chat, "/patch <b>bold</b> & <i>unclosed \u0007", languageCode: "en");
        _api.EnqueueMessage(chat, "/patch " + emoji, languageCode: "en");

        var first = await _api.WaitForSentMessage(m => m.ChatId == chat, Patience);
        Assert.Contains("<b>bold</b> & <i>unclosed ␇", first.PlainText, StringComparison.Ordinal);

        // 4,000 emoji are 8,000 UTF-16 units: over the limit, so the refusal names the limit (one message),
        // and the text itself is never cut inside a character.
        var second = await _api.WaitFor(a => a.SentMessages.Where(m => m.ChatId == chat).Skip(1).FirstOrDefault(), Patience);
        Assert.Contains("256", second.PlainText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_429_is_waited_out_and_the_message_still_arrives()
    {
        const long chat = 6161;
        _api.FailNext("sendMessage", 429, "Too Many Requests: retry after 1", retryAfter: 1, chatId: chat);
        _api.EnqueueMessage(chat, "/patch ZoneFS", languageCode: "en");

        var sent = await _api.WaitForSentMessage(m => m.ChatId == chat, Patience);

        Assert.Contains("zoned block device & ZoneFS", sent.PlainText, StringComparison.Ordinal);
        var attempts = _api.RequestsFor("sendMessage").Where(r => r.Body.GetProperty("chat_id").GetInt64() == chat).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.Equal(429, attempts[0].StatusCode);
        Assert.True(attempts[1].Time - attempts[0].Time >= TimeSpan.FromSeconds(1), "the retry did not wait retry_after");
    }

    [Fact]
    public async Task A_blocked_chat_is_reported_and_the_loop_goes_on()
    {
        const long blocked = 7171;
        const long other = 7172;
        _api.FailNext("sendMessage", 403, "Forbidden: bot was blocked by the user", chatId: blocked);
        _api.EnqueueMessage(blocked, "/help");
        _api.EnqueueMessage(other, "/help");

        await _api.WaitForSentMessage(m => m.ChatId == other, Patience);
        await _bot.WaitForLog($"telegram chat {blocked}: Blocked");
    }

    [Fact]
    public async Task A_malformed_update_is_skipped_and_the_next_one_answered()
    {
        const long chat = 8181;
        _api.EnqueueRawUpdateJson("""{"update_id": 999999, "message": "not a message object"}""");
        _api.EnqueueMessage(chat, "/patch IPI", languageCode: "en");

        var sent = await _api.WaitForSentMessage(m => m.ChatId == chat, Patience);

        Assert.Contains("Turning IPIs into normal interrupts", sent.PlainText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_token_never_appears_in_the_logs()
    {
        _api.EnqueueMessage(9191, "/help");
        await _api.WaitForSentMessage(m => m.ChatId == 9191, Patience);
        var secretPart = _api.Token.Split(':')[1];
        Assert.Contains("Telegram update", _bot.Logs, StringComparison.Ordinal); // the log is there, and has no token
        Assert.DoesNotContain(_api.Token, _bot.Logs, StringComparison.Ordinal);
        Assert.DoesNotContain("bot" + _api.Token, _bot.Logs, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(secretPart));
    }

    /// <summary>
    /// Waits until the bot has confirmed every update through its getUpdates offset. It moves the offset only after
    /// an update is answered, so whatever it was going to send for them has been sent: what is not there now never comes.
    /// </summary>
    internal static Task WaitUntilEveryUpdateIsHandled(FakeBotApi api) =>
        api.WaitFor(a => a.PendingUpdateCount == 0 ? true : (bool?)null, Patience);
}
