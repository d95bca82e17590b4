using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using KernelDigest.Bot.TelegramChat;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Search;

namespace KernelDigest.Bot.Tests.TelegramChat;

public sealed partial class TelegramRendererTests
{
    private static readonly string[] AllowedTags = ["b", "i", "a"];

    [Fact]
    public void A_reply_far_over_the_limit_splits_into_valid_html_chunks_that_add_up_to_the_whole()
    {
        var reply = BigReply(items: 60, paragraph: string.Concat(Enumerable.Repeat("虚拟机 <b>not bold</b> & PAGE_SIZE ", 40)));

        var messages = TelegramRenderer.Render(reply);

        Assert.True(messages.Count > 3, $"expected several messages, got {messages.Count}");
        foreach (var m in messages)
        {
            var text = VisibleText(m.Html);
            Assert.InRange(text.Length, 1, TelegramRenderer.MaxMessageLength);
            AssertWellFormed(m.Html);
        }
        var whole = TelegramRenderer.VisibleText(reply);
        Assert.Equal(Squash(whole), Squash(string.Concat(messages.Select(m => VisibleText(m.Html)))));
    }

    [Fact]
    public void A_single_line_longer_than_a_message_is_cut_between_characters_never_inside_an_entity_or_surrogate()
    {
        var emoji = string.Concat(Enumerable.Repeat("😀", 4000)); // 8,000 UTF-16 units, no spaces
        var reply = new Reply { Command = "patch", Query = emoji, Title = "Search: " + emoji + "&<>", Lang = Lang.En };

        var messages = TelegramRenderer.Render(reply);

        Assert.True(messages.Count >= 2);
        foreach (var m in messages)
        {
            AssertWellFormed(m.Html);
            var text = VisibleText(m.Html);
            Assert.InRange(text.Length, 1, TelegramRenderer.MaxMessageLength);
            Assert.False(char.IsHighSurrogate(text[^1]), "a surrogate pair was split");
            Assert.False(char.IsLowSurrogate(text[0]), "a surrogate pair was split");
        }
        Assert.Equal("Search: " + emoji + "&<>", string.Concat(messages.Select(m => VisibleText(m.Html))));
    }

    [Fact]
    public void Report_and_user_text_is_escaped_and_shown_literally()
    {
        var reply = new Reply
        {
            Command = "patch",
            Query = "<b>",
            Title = "搜索:<b>x</b> & <script>",
            Lang = Lang.Zh,
            Items =
            [
                new ReplyItem
                {
                    Title = "a <i>title</i> & more",
                    Meta = "Tom & Jerry",
                    Summary = "1 < 2 > 0",
                    Snippet = new Snippet([new SnippetPart("before ", false), new SnippetPart("<hit>", true)]),
                    Links = [new ReportLink("https://lwn.net/Articles/1/?a=1&b=\"2\"", "补丁")],
                },
            ],
        };

        var html = Assert.Single(TelegramRenderer.Render(reply)).Html;

        AssertWellFormed(html);
        var text = VisibleText(html);
        Assert.Contains("搜索:<b>x</b> & <script>", text);
        Assert.Contains("a <i>title</i> & more", text);
        Assert.Contains("before <hit>", text);
        Assert.Contains("<b>&lt;hit&gt;</b>", html);
        Assert.Contains("href=\"https://lwn.net/Articles/1/?a=1&amp;b=%222%22\"", html);
    }

    [Fact]
    public void Page_buttons_carry_a_compact_token_that_fits_64_bytes()
    {
        using var pages = new PageCodec();
        var longQuery = string.Concat(Enumerable.Repeat("总线锁", 20));
        foreach (var search in new[] { new SearchRequest("TDP MMU"), new SearchRequest("mmu", "virtualization", "2020-09"), new SearchRequest(longQuery) })
        {
            var reply = new Reply
            {
                Command = "patch", Query = "/patch " + search.Arguments, Title = "Search: " + search.Text, Lang = Lang.En,
                Page = new ReplyPage(2, 4, 18, search),
            };

            var keyboard = TelegramRenderer.Render(reply, pages)[^1].Keyboard;

            Assert.NotNull(keyboard);
            var buttons = keyboard.InlineKeyboard.SelectMany(r => r).ToList();
            Assert.Equal(["‹ Prev", "2/4", "Next ›"], buttons.Select(b => b.Text));
            foreach (var b in buttons)
                Assert.InRange(Encoding.UTF8.GetByteCount(b.CallbackData!), 1, 64);
            var turn = pages.Decode(buttons[2].CallbackData);
            Assert.Equal(new PageTurn(search, 3, Expired: false), turn);
        }
    }

    private static Reply BigReply(int items, string paragraph) => new()
    {
        Command = "month",
        Query = "/month",
        Title = "Linux内核月报(2020年09月)",
        Lang = Lang.Zh,
        Body = [paragraph],
        Items = [.. Enumerable.Range(1, items).Select(i => new ReplyItem
        {
            Title = $"Entry {i} <with> & markup",
            Meta = "Author · 2020-09",
            Summary = paragraph[..Math.Min(paragraph.Length, 300)],
            Links = [new ReportLink($"https://lore.kernel.org/lkml/{i}/")],
        })],
    };

    /// <summary>What Telegram shows: tags removed, entities decoded.</summary>
    internal static string VisibleText(string html) => WebUtility.HtmlDecode(Tags().Replace(html, ""));

    private static string Squash(string s) => Regex.Replace(s, @"\s+", "");

    /// <summary>Tags balanced and allowed, every '&amp;' the start of an entity Telegram knows.</summary>
    internal static void AssertWellFormed(string html)
    {
        var stack = new Stack<string>();
        foreach (Match m in Tags().Matches(html))
        {
            var closing = m.Groups["close"].Success && m.Groups["close"].Value == "/";
            var name = m.Groups["name"].Value;
            Assert.Contains(name, AllowedTags);
            if (closing)
                Assert.Equal(name, stack.Pop());
            else
                stack.Push(name);
        }
        Assert.Empty(stack);
        foreach (Match amp in Regex.Matches(html, "&[^;\\s]*;?"))
            Assert.Matches("^&(lt|gt|amp|quot|#[0-9]+);$", amp.Value);
        Assert.DoesNotMatch("<(?![/]?(b|i|a)[ >])", html);
    }

    [GeneratedRegex("<(?<close>/?)(?<name>[a-z]+)[^>]*>")]
    private static partial Regex Tags();
}
