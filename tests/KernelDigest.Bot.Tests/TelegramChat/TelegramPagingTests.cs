using KernelDigest.Bot.Tests.TelegramDouble;

namespace KernelDigest.Bot.Tests.TelegramChat;

/// <summary>Page buttons on Telegram carry the search as data: long searches by a kept key, forgotten keys said so.</summary>
public sealed class TelegramPagingTests(TelegramBotFixture fixture) : IClassFixture<TelegramBotFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly FakeBotApi _api = fixture.Api;

    [Fact]
    public async Task A_search_too_long_for_callback_data_pages_through_a_kept_key()
    {
        const long chat = 990_001;
        var query = string.Join(' ', Enumerable.Repeat("虚拟机", 25)); // 99 characters, 297 bytes: more than 64
        _api.EnqueueMessage(chat, "/patch " + query, languageCode: "en");
        var first = await fixture.Bot.Within(_api.WaitFor(a => a.SentMessages.FirstOrDefault(m => m.ChatId == chat), Patience));
        var next = Assert.Single(first.Buttons, b => b.Text == "Next ›");
        Assert.StartsWith("k|2|", next.CallbackData, StringComparison.Ordinal);

        _api.EnqueueCallbackQuery(chat, first.MessageId, next.CallbackData!, languageCode: "en", messageText: first.PlainText);

        var edited = await _api.WaitFor(a => a.EditedMessages.FirstOrDefault(e => e.MessageId == first.MessageId), Patience);
        Assert.Contains("Page 2/", edited.PlainText, StringComparison.Ordinal);
        Assert.StartsWith("Search: " + query, edited.PlainText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_button_whose_search_is_forgotten_says_so_and_leaves_the_page_as_it_was()
    {
        const long chat = 990_002;
        _api.EnqueueMessage(chat, "/patch 虚拟机", languageCode: "en");
        var first = await fixture.Bot.Within(_api.WaitFor(a => a.SentMessages.FirstOrDefault(m => m.ChatId == chat), Patience));
        var answered = _api.CallbackAnswers.Count;

        // A key this bot does not hold: it restarted since, or another instance of a cluster made the button.
        _api.EnqueueCallbackQuery(chat, first.MessageId, "k|2|AAAAAAAAAAAAAAAA", languageCode: "en", messageText: first.PlainText);
        var answer = await _api.WaitFor(a => a.CallbackAnswers.Skip(answered).FirstOrDefault(), Patience);
        // Updates are handled in order: once a later message is answered, the press has been handled in full.
        _api.EnqueueMessage(chat, "/about", languageCode: "en");
        await _api.WaitFor(a => a.SentMessages.Where(m => m.ChatId == chat).Skip(1).FirstOrDefault(), Patience);

        Assert.Equal("This search has expired: send /patch again to search.", answer.Text);
        Assert.True(answer.ShowAlert);
        Assert.DoesNotContain(_api.EditedMessages, e => e.ChatId == chat);
    }
}
