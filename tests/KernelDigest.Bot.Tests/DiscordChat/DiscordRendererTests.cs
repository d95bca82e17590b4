using System.Text.Json;
using KernelDigest.Bot.DiscordChat;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Search;
using static KernelDigest.Bot.Tests.DiscordChat.DiscordMessages;

namespace KernelDigest.Bot.Tests.DiscordChat;

public sealed class DiscordRendererTests
{
    [Fact]
    public void A_digest_far_over_the_limits_splits_into_messages_that_each_keep_them_and_lose_nothing()
    {
        var reply = Digest(groups: 4, itemsPerGroup: 40, intro: string.Concat(Enumerable.Repeat("引言 *intro* @here ", 400)));

        var messages = DiscordRenderer.Render(reply).Select(ToJson).ToList();

        Assert.True(messages.Count > 3, $"{messages.Count} messages");
        messages.ForEach(AssertSendable);
        var visible = string.Join("\n", messages.Select(Visible));
        var at = 0;
        foreach (var item in reply.Items)
        {
            var found = visible.IndexOf(item.Title, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"missing or out of order: {item.Title}");
            at = found;
        }
        Assert.Equal(4, messages.SelectMany(Embeds).Count(e => Text(e, "title")?.StartsWith("■ ", StringComparison.Ordinal) == true));
    }

    [Fact]
    public void A_6000_character_paragraph_is_cut_into_descriptions_that_add_up_to_it()
    {
        var paragraph = string.Concat(Enumerable.Repeat("😀@everyone_", 600)); // 6,600 UTF-16 units, escapes included
        var reply = new Reply { Command = "about", Query = "", Title = "t", Body = [paragraph], Lang = Lang.En };

        var messages = DiscordRenderer.Render(reply).Select(ToJson).ToList();

        messages.ForEach(AssertSendable);
        var descriptions = messages.SelectMany(Embeds).Select(e => Text(e, "description")).OfType<string>().ToList();
        Assert.True(descriptions.Count >= 2);
        Assert.All(descriptions, d =>
        {
            Assert.InRange(d.Length, 1, DiscordRenderer.MaxDescription);
            Assert.False(char.IsHighSurrogate(d[^1]), "a surrogate pair was split");
            Assert.False(d.EndsWith('\\'), "an escape was split");
        });
        Assert.Equal(paragraph, string.Concat(descriptions.Select(DiscordMarkdown.Unescape)));
    }

    [Theory]
    [InlineData("@everyone and @here")]
    [InlineData("<@&123456789012345678> <@42> <#1>")]
    [InlineData("**bold** __under__ ~~strike~~ `code` ```block``` ||spoiler||")]
    [InlineData("# heading\n## sub\n-# small\n> quote\n>>> rest\n- list\n1. ordered\n  * nested")]
    [InlineData("[masked](https://evil.example/) \\ back\\slash \\*")]
    [InlineData("plain 文字 with 2020-09 and v5.9")]
    public void Text_is_escaped_so_it_shows_literally_and_mentions_no_one(string text)
    {
        var escaped = DiscordMarkdown.Escape(text);

        Assert.Equal(text, DiscordMarkdown.Unescape(escaped));
        Assert.DoesNotContain("@everyone", escaped, StringComparison.Ordinal);
        Assert.DoesNotContain("@here", escaped, StringComparison.Ordinal);
        Assert.DoesNotMatch(LiveMention(), escaped);
        foreach (var line in escaped.Split('\n'))
            Assert.DoesNotMatch(@"^\s*(#|>|-|\*|\d+\.)", line);
        for (var i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] is '*' or '_' or '~' or '`' or '|' or '[' or ']')
                Assert.True(i > 0 && escaped[i - 1] == '\\', $"unescaped '{escaped[i]}' at {i} in {escaped}");
        }
    }

    [Fact]
    public void Random_text_round_trips_through_escaping()
    {
        var random = new Random(4);
        const string alphabet = "ab c\n*_~`|[]<>#-+@\\.1é文";
        for (var n = 0; n < 500; n++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(1, 40)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            Assert.Equal(text, DiscordMarkdown.Unescape(DiscordMarkdown.Escape(text)));
        }
    }

    [Fact]
    public void Page_buttons_carry_the_search_in_at_most_100_characters_or_a_key_kept_by_the_codec()
    {
        using var pages = new PageCodec();
        var longQuery = string.Concat(Enumerable.Repeat("总线锁 ", 30)).Trim();
        foreach (var search in new[] { new SearchRequest("TDP MMU", "virtualization"), new SearchRequest("a*b_c <@1>"), new SearchRequest(longQuery, null, "2020-09") })
        {
            var reply = new Reply
            {
                Command = "patch", Query = "/patch " + search.Arguments, Title = BotTexts.En.ResultsTitle(search.Text), Lang = Lang.En,
                Page = new ReplyPage(2, 4, 18, search),
            };

            var message = ToJson(DiscordRenderer.Render(reply, pages)[^1]);

            AssertSendable(message);
            var pageButtons = Buttons(message).Where(b => b.GetProperty("style").GetInt32() != 5).ToList();
            Assert.Equal(["‹ Prev", "2/4", "Next ›"], pageButtons.Select(b => Text(b, "label")));
            Assert.True(pageButtons[1].GetProperty("disabled").GetBoolean());
            Assert.Equal(3, pageButtons.Select(b => Text(b, "custom_id")).Distinct().Count()); // unique within a message
            var next = Text(pageButtons[2], "custom_id")!;
            Assert.InRange(next.Length, 1, DiscordRenderer.MaxCustomId);
            var turn = pages.Decode(next);
            Assert.Equal(3, turn.Page);
            Assert.Equal(search, turn.Search);
        }
    }

    [Fact]
    public void A_reply_rendered_without_a_codec_has_no_page_buttons()
    {
        var reply = new Reply { Command = "patch", Query = "/patch x", Title = "Search: x", Lang = Lang.En, Page = new ReplyPage(1, 3, 15, new SearchRequest("x")) };

        var message = ToJson(Assert.Single(DiscordRenderer.Render(reply)));

        Assert.DoesNotContain(Buttons(message), b => b.GetProperty("style").GetInt32() != 5);
    }

    [Fact]
    public void Link_buttons_are_for_lwn_and_lore_at_most_five_a_row_and_five_rows_with_the_page_row()
    {
        var reply = new Reply
        {
            Command = "patch", Query = "/patch x", Title = "Search: x", Lang = Lang.En,
            Page = new ReplyPage(1, 3, 15, new SearchRequest("x")),
            Items = [.. Enumerable.Range(1, 5).Select(i => new ReplyItem
            {
                Title = $"Entry {i}",
                Links =
                [
                    new ReportLink($"https://lwn.net/Articles/{i}/", "补丁"),
                    new ReportLink($"https://lore.kernel.org/lkml/{i}/"),
                    new ReportLink($"https://lore.kernel.org/lkml/{i}-v2/"),
                    new ReportLink($"https://lore.kernel.org/lkml/{i}-v3/"),
                    new ReportLink($"https://lore.kernel.org/lkml/{i}-v4/"),
                    new ReportLink($"https://example.org/{i}"),
                    new ReportLink("javascript:alert(1)", "evil"),
                ],
            })],
        };

        using var pages = new PageCodec();
        var message = ToJson(Assert.Single(DiscordRenderer.Render(reply, pages)));

        AssertSendable(message);
        var rows = message.GetProperty("components").EnumerateArray().ToList();
        Assert.Equal(DiscordRenderer.MaxRows, rows.Count);
        var links = Buttons(message).Where(b => b.GetProperty("style").GetInt32() == 5).ToList();
        Assert.Equal(20, links.Count);
        Assert.Equal("1 · LWN 补丁", Text(links[0], "label"));
        Assert.All(links, b => Assert.Matches("^https://(lwn.net|lore.kernel.org)/", Text(b, "url")!));
        Assert.DoesNotContain("javascript", message.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_search_page_is_one_embed_with_numbered_fields_meta_summary_snippet_and_links()
    {
        var reply = new Reply
        {
            Command = "patch", Query = "/patch mmu", Title = "Search: mmu", Lang = Lang.En,
            Page = new ReplyPage(2, 2, 6, new SearchRequest("mmu")),
            Items =
            [
                new ReplyItem
                {
                    Title = "Introduce the TDP MMU", Meta = "Ben Gardon · 2020-09 · 虚拟化", Summary = "A new MMU.",
                    Snippet = new Snippet([new SnippetPart("the new ", false), new SnippetPart("MMU", true), new SnippetPart(" code", false)]),
                    Links = [new ReportLink("https://lwn.net/Articles/830153", "补丁")],
                },
            ],
        };

        var message = ToJson(Assert.Single(DiscordRenderer.Render(reply)));

        var embed = Assert.Single(Embeds(message));
        var field = Assert.Single(Fields(embed));
        Assert.Equal("6. Introduce the TDP MMU", Text(field, "name"));
        Assert.Equal("*Ben Gardon · 2020-09 · 虚拟化*\nA new MMU.\nthe new **MMU** code\n[LWN 补丁](https://lwn.net/Articles/830153)", Text(field, "value"));
        Assert.Equal("Page 2/2, 6 results", embed.GetProperty("footer").GetProperty("text").GetString());
        Assert.Equal(DiscordRenderer.Color, embed.GetProperty("color").GetInt32());
    }

    [Fact]
    public void Long_titles_and_field_values_are_shortened_to_their_limits()
    {
        var huge = string.Concat(Enumerable.Repeat("*_", 3000));
        var reply = new Reply
        {
            Command = "patch", Query = "", Title = huge, Lang = Lang.En,
            Items = [new ReplyItem { Title = huge, Meta = huge, Summary = huge }],
        };

        var message = ToJson(Assert.Single(DiscordRenderer.Render(reply)));

        AssertSendable(message);
        var embed = Embeds(message)[0];
        Assert.EndsWith("…", Text(embed, "title"), StringComparison.Ordinal);
        Assert.InRange(Text(Fields(embed)[0], "value")!.Length, 100, DiscordRenderer.MaxFieldValue);
    }

    private static Reply Digest(int groups, int itemsPerGroup, string intro)
    {
        var items = new List<ReplyItem>();
        var replyGroups = new List<ReplyGroup>();
        for (var g = 0; g < groups; g++)
        {
            replyGroups.Add(new ReplyGroup($"Section {g} **@everyone**", [intro], items.Count, itemsPerGroup));
            for (var i = 0; i < itemsPerGroup; i++)
            {
                items.Add(new ReplyItem
                {
                    Title = $"Entry {g}-{i} <b>`x`</b>",
                    Meta = $"Author {i}",
                    Summary = string.Concat(Enumerable.Repeat("summary text ", 12)),
                    Links = [new ReportLink($"https://lwn.net/Articles/{g}{i}/"), new ReportLink($"https://lore.kernel.org/lkml/{g}-{i}/")],
                });
            }
        }
        return new Reply { Command = "month", Query = "/month", Title = "Report @everyone", Body = ["Issue 9"], Items = items, Groups = replyGroups, Lang = Lang.Zh };
    }

    private static JsonElement ToJson(DiscordMessage message) => JsonSerializer.SerializeToElement(message, DiscordJson.Options);
}
