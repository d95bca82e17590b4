using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KernelDigest.Bot.DiscordChat;
using KernelDigest.Bot.Tests.DiscordDouble;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;
using Microsoft.Extensions.DependencyInjection;
using static KernelDigest.Bot.Tests.DiscordChat.DiscordMessages;

namespace KernelDigest.Bot.Tests.DiscordChat;

/// <summary>The interactions endpoint of the running bot, over HTTP, with payloads signed like Discord signs them.</summary>
public sealed class DiscordInteractionsTests(DiscordAppFixture fixture) : IClassFixture<DiscordAppFixture>
{
    private DiscordApp App => fixture.App;

    // ------------------------------------------------------------------ signatures

    [Fact]
    public async Task A_signed_ping_gets_a_pong()
    {
        var response = await App.InteractAsync(Interactions.Ping(), fixture.Signer);

        Assert.Equal("""{"type":1}""", response.GetRawText());
    }

    public static TheoryData<string> Forgeries =>
        ["tampered body", "wrong key", "missing signature", "missing timestamp", "other timestamp", "non-hex signature", "short signature", "no headers at all"];

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task A_request_not_signed_with_the_application_key_is_refused_with_401(string forgery)
    {
        using var other = new InteractionSigner();
        var payload = Interactions.Ping();
        var signer = forgery == "wrong key" ? other : forgery == "no headers at all" ? null : fixture.Signer;

        using var response = await App.PostAsync(payload, signer!, (request, body) =>
        {
            var headers = request.Headers;
            switch (forgery)
            {
                case "tampered body":
                    var tampered = (byte[])body.Clone();
                    tampered[^2] = (byte)'2'; // "version":1 → "version":2, same length
                    request.Content = new ByteArrayContent(tampered);
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    break;
                case "missing signature":
                    headers.Remove("X-Signature-Ed25519");
                    break;
                case "missing timestamp":
                    headers.Remove("X-Signature-Timestamp");
                    break;
                case "other timestamp":
                    var stamp = long.Parse(headers.GetValues("X-Signature-Timestamp").Single(), System.Globalization.CultureInfo.InvariantCulture);
                    headers.Remove("X-Signature-Timestamp");
                    headers.TryAddWithoutValidation("X-Signature-Timestamp", (stamp + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case "non-hex signature":
                    var signature = headers.GetValues("X-Signature-Ed25519").Single();
                    headers.Remove("X-Signature-Ed25519");
                    headers.TryAddWithoutValidation("X-Signature-Ed25519", "zz" + signature[2..]);
                    break;
                case "short signature":
                    var full = headers.GetValues("X-Signature-Ed25519").Single();
                    headers.Remove("X-Signature-Ed25519");
                    headers.TryAddWithoutValidation("X-Signature-Ed25519", full[..64]);
                    break;
            }
        });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("\"type\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_body_over_64_KiB_is_refused_with_413()
    {
        var payload = Interactions.Ping();
        payload["padding"] = new string('x', 70 * 1024);

        using var response = await App.PostAsync(payload, fixture.Signer);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    // ------------------------------------------------------------------ registration at start-up

    [Fact]
    public void Start_up_registered_the_commands_to_the_dev_guild_with_zh_CN_localizations()
    {
        var writes = fixture.Discord.CommandWrites(DiscordAppFixture.DevGuildId);

        Assert.Single(writes);
        Assert.Empty(fixture.Discord.CommandWrites(null));
        var commands = fixture.Discord.Commands(DiscordAppFixture.DevGuildId).Select(c => c!.AsObject()).ToList();
        Assert.Equal(["patch", "subsystem", "month", "latest", "help", "about", "subscribe", "unsubscribe", "subscription", "follow", "unfollow", "following",
            "watch", "unwatch", "watches"], commands.Select(c => (string)c["name"]!));
        var patch = commands[0];
        Assert.Equal("补丁", (string)patch["name_localizations"]!["zh-CN"]!);
        Assert.Equal("关键词", (string)patch["options"]![0]!["name_localizations"]!["zh-CN"]!);
        Assert.True((bool)commands[1]["options"]![0]!["autocomplete"]!);
        foreach (var request in fixture.Discord.Requests)
        {
            Assert.Equal("Bot " + fixture.Discord.Token, request.Authorization);
            Assert.StartsWith("DiscordBot (https://", request.UserAgent, StringComparison.Ordinal);
        }
    }

    // ------------------------------------------------------------------ commands

    [Fact]
    public async Task Patch_answers_with_an_embed_of_results_page_buttons_and_link_buttons()
    {
        var response = await CommandAsync(Interactions.Command("patch", "en-US", ("query", "zebrafish")));

        Assert.Equal(InteractionCallback.ChannelMessage, response.GetProperty("type").GetInt32());
        var message = response.GetProperty("data");
        AssertSendable(message);
        var embed = Assert.Single(Embeds(message));
        Assert.Equal("Search: zebrafish", Text(embed, "title"));
        var fields = Fields(embed);
        Assert.Equal(ReportCommands.PageSize, fields.Count);
        Assert.StartsWith("1. ", Text(fields[0], "name"), StringComparison.Ordinal);
        Assert.Equal("Page 1/9, 42 results", embed.GetProperty("footer").GetProperty("text").GetString());
        var buttons = Buttons(message);
        // Every result has a lore link, so each gets a Follow button, in a row above the page buttons.
        Assert.Equal(["Follow 1", "Follow 2", "Follow 3", "Follow 4", "Follow 5", "1/9", "Next ›"],
            buttons.Where(b => b.GetProperty("style").GetInt32() != 5).Select(b => Text(b, "label")));
        Assert.Equal("p|2|||zebrafish", Text(buttons.Single(b => Text(b, "label") == "Next ›"), "custom_id"));
        var links = buttons.Where(b => b.GetProperty("style").GetInt32() == 5).ToList();
        Assert.InRange(links.Count, 2, 20);
        Assert.Contains(links, b => Text(b, "url")!.StartsWith("https://lwn.net/Articles/", StringComparison.Ordinal));
        Assert.Contains(links, b => Text(b, "url")!.StartsWith("https://lore.kernel.org/", StringComparison.Ordinal));
        Assert.Contains("[LWN 补丁](https://lwn.net/Articles/", Text(fields[0], "value"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_from_a_zh_CN_user_answers_in_Chinese()
    {
        var response = await CommandAsync(Interactions.Command("patch", "zh-CN", ("query", "TDP MMU")));

        var message = response.GetProperty("data");
        AssertSendable(message);
        var embed = Embeds(message)[0];
        Assert.Equal("搜索:TDP MMU", Text(embed, "title"));
        Assert.Contains("Introducethe TDP MMU", Text(Fields(embed)[0], "name"), StringComparison.Ordinal);
        Assert.Contains("Ben Gardon", Visible(message), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subsystem_with_a_name_and_month_shows_that_subsystems_entries()
    {
        var response = await CommandAsync(Interactions.Command("subsystem", "en-GB", ("name", "kvm"), ("month", "2020-09")));

        var message = response.GetProperty("data");
        AssertSendable(message);
        Assert.Equal("Virtualization · 2020-09", Text(Embeds(message)[0], "title"));
        Assert.Contains("Introducethe TDP MMU", Visible(message), StringComparison.Ordinal);
        Assert.DoesNotContain("blk-iocost", Visible(message), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subsystem_without_a_name_lists_subsystems_and_an_unknown_one_is_explained()
    {
        var list = (await CommandAsync(Interactions.Command("subsystem", "en-US"))).GetProperty("data");
        var unknown = (await CommandAsync(Interactions.Command("subsystem", "en-US", ("name", "nosuchthing")))).GetProperty("data");

        AssertSendable(list);
        Assert.StartsWith("Subsystems · ", Text(Embeds(list)[0], "title"), StringComparison.Ordinal);
        Assert.Contains("Virtualization (virtualization)", Visible(list), StringComparison.Ordinal);
        AssertSendable(unknown);
        Assert.Equal("There is no subsystem called \"nosuchthing\".", Text(Embeds(unknown)[0], "title"));
        Assert.Equal(DiscordRenderer.ErrorColor, Embeds(unknown)[0].GetProperty("color").GetInt32());
    }

    [Fact]
    public async Task Month_shows_that_months_digest_by_section()
    {
        var response = await CommandAsync(Interactions.Command("month", "zh-CN", ("month", "2020-09")));

        var message = response.GetProperty("data");
        AssertSendable(message);
        var embeds = Embeds(message);
        Assert.Equal("Linux阅码场 - Linux内核月报(2020年09月)", Text(embeds[0], "title"));
        Assert.Contains(embeds, e => Text(e, "title") == "■ 虚拟化");
        Assert.Contains("总第 4 期", Visible(message), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_and_about_answer_in_the_users_language()
    {
        var help = (await CommandAsync(Interactions.Command("help", "en-US"))).GetProperty("data");
        var about = (await CommandAsync(Interactions.Command("about", "zh-CN"))).GetProperty("data");

        AssertSendable(help);
        Assert.Equal(BotTexts.En.HelpTitle, Text(Embeds(help)[0], "title"));
        Assert.Contains("/patch <keywords>", Visible(help), StringComparison.Ordinal);
        AssertSendable(about);
        Assert.Equal(BotTexts.Zh.AboutTitle, Text(Embeds(about)[0], "title"));
    }

    [Fact]
    public async Task A_month_that_is_not_loaded_gets_an_error_embed_naming_the_loaded_months()
    {
        var message = (await CommandAsync(Interactions.Command("month", "en-US", ("month", "1999-01")))).GetProperty("data");

        AssertSendable(message);
        Assert.Equal("There is no report for 1999-01.", Text(Embeds(message)[0], "title"));
        Assert.Contains("2020-10, 2020-09", Visible(message), StringComparison.Ordinal);
    }

    // ------------------------------------------------------------------ autocomplete

    [Fact]
    public async Task Autocomplete_suggests_matching_subsystems()
    {
        var typed = await App.InteractAsync(Interactions.Autocomplete("subsystem", "en-US", "name", ("name", "kv")), fixture.Signer);
        var empty = await App.InteractAsync(Interactions.Autocomplete("subsystem", "zh-CN", "name", ("name", "")), fixture.Signer);

        Assert.Equal(InteractionCallback.AutocompleteResult, typed.GetProperty("type").GetInt32());
        var choices = typed.GetProperty("data").GetProperty("choices").EnumerateArray().ToList();
        Assert.Equal("virtualization", choices[0].GetProperty("value").GetString());
        Assert.Equal("Virtualization (virtualization)", choices[0].GetProperty("name").GetString());
        var all = empty.GetProperty("data").GetProperty("choices").EnumerateArray().ToList();
        Assert.InRange(all.Count, 10, DiscordAutocomplete.MaxChoices);
        Assert.Contains(all, c => c.GetProperty("name").GetString() == "虚拟化 (virtualization)");
    }

    [Fact]
    public async Task Autocomplete_suggests_loaded_months_for_month_options()
    {
        var forMonth = await App.InteractAsync(Interactions.Autocomplete("month", "en-US", "month", ("month", "2020")), fixture.Signer);
        var forSubsystem = await App.InteractAsync(Interactions.Autocomplete("subsystem", "en-US", "month", ("name", "kvm"), ("month", "-10")), fixture.Signer);

        Assert.Equal(["2020-10", "2020-09"], forMonth.GetProperty("data").GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("value").GetString()));
        Assert.Equal(["2020-10"], forSubsystem.GetProperty("data").GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("value").GetString()));
    }

    // ------------------------------------------------------------------ paging

    [Fact]
    public async Task A_page_button_updates_the_message_to_that_page()
    {
        var first = (await CommandAsync(Interactions.Command("patch", "en-US", ("query", "zebrafish")))).GetProperty("data");
        var next = Text(Buttons(first).Single(b => Text(b, "label") == "Next ›"), "custom_id")!;

        var response = await App.InteractAsync(Interactions.Button(next, "en-US", JsonNode.Parse(first.GetRawText())), fixture.Signer);

        Assert.Equal(InteractionCallback.UpdateMessage, response.GetProperty("type").GetInt32());
        var page = response.GetProperty("data");
        AssertSendable(page);
        var embed = Assert.Single(Embeds(page));
        Assert.Equal("Page 2/9, 42 results", embed.GetProperty("footer").GetProperty("text").GetString());
        Assert.StartsWith("6. ", Text(Fields(embed)[0], "name"), StringComparison.Ordinal);
        Assert.Equal(["Follow 6", "Follow 7", "Follow 8", "Follow 9", "Follow 10", "‹ Prev", "2/9", "Next ›"],
            Buttons(page).Where(b => b.GetProperty("style").GetInt32() != 5).Select(b => Text(b, "label")));
        Assert.Equal("p|1|||zebrafish", Text(Buttons(page).Single(b => Text(b, "label") == "‹ Prev"), "custom_id"));
        Assert.DoesNotContain(Fields(embed).Select(f => Text(f, "name")), n => Fields(Embeds(first)[0]).Any(f => Text(f, "name") == n));
    }

    [Fact]
    public async Task An_interaction_replayed_is_refused_and_answered_once()
    {
        var payload = Interactions.Command("patch", "en-US", ("query", "zebrafish"));
        var first = await CommandAsync(payload);

        using var replay = await App.PostAsync(payload, fixture.Signer); // the same signed request, sent again

        Assert.Equal(InteractionCallback.ChannelMessage, first.GetProperty("type").GetInt32());
        Assert.Equal(HttpStatusCode.Conflict, replay.StatusCode);
    }

    [Fact]
    public async Task A_button_that_is_not_a_page_button_changes_nothing()
    {
        var response = await App.InteractAsync(Interactions.Button("something-else", "en-US", null), fixture.Signer);

        Assert.Equal("""{"type":6}""", response.GetRawText());
    }

    [Fact]
    public async Task A_long_search_pages_through_a_kept_key_and_a_forgotten_key_says_the_search_expired_to_the_presser_only()
    {
        // Past what a custom_id holds: the button carries a key the bot keeps, never the rendered title.
        var query = string.Join(' ', Enumerable.Repeat("zebrafish", 15)); // 149 characters, the same 42 results
        var first = (await CommandAsync(Interactions.Command("patch", "en-US", ("query", "zebrafish")))).GetProperty("data");
        var longFirst = (await CommandAsync(Interactions.Command("patch", "en-US", ("query", query)))).GetProperty("data");
        var id = Text(Buttons(longFirst).Single(b => Text(b, "label") == "Next ›"), "custom_id")!;
        Assert.StartsWith("k|2|", id, StringComparison.Ordinal);
        var paged = await App.InteractAsync(Interactions.Button(id, "en-US", JsonNode.Parse(longFirst.GetRawText())), fixture.Signer);
        Assert.Equal(InteractionCallback.UpdateMessage, paged.GetProperty("type").GetInt32());
        Assert.Contains("Page 2/", paged.GetRawText(), StringComparison.Ordinal);

        // A key the bot does not hold (it restarted, or another instance made it).
        var expired = await App.InteractAsync(Interactions.Button("k|2|AAAAAAAAAAAAAAAA", "en-US", JsonNode.Parse(first.GetRawText())), fixture.Signer);

        Assert.Equal(InteractionCallback.ChannelMessage, expired.GetProperty("type").GetInt32());
        var notice = expired.GetProperty("data");
        Assert.Equal(64, notice.GetProperty("flags").GetInt32()); // ephemeral: the page stays as it was for everyone
        Assert.Equal("This search has expired: send /patch again to search.", Text(Assert.Single(Embeds(notice)), "title"));
    }

    // ------------------------------------------------------------------ long and hostile answers

    [Fact]
    public async Task A_digest_too_big_for_one_message_is_split_and_the_rest_follows_through_the_webhook()
    {
        var payload = Interactions.Command("latest", "en-US");
        var token = (string)payload["token"]!;

        var response = await CommandAsync(payload);
        // On a busy machine the answer may pass the deferral threshold: then the first part arrives as the PATCH of
        // @original instead of in the response. Either way every part the renderer makes must arrive, in order; the
        // bot sends one interaction's parts one after another, so once the last is there, nothing more comes.
        var parts = DiscordRenderer.Render(ReportCommands.Digest(fixture.App.Services.GetRequiredService<ReportLibrary>().Current.Latest!, Lang.En, "/latest", "latest")).Count;
        var deferred = response.GetProperty("type").GetInt32() == InteractionCallback.DeferredChannelMessage;
        IReadOnlyList<PostedMessage> followups = [.. (await fixture.Discord.WaitForWebhookMessagesAsync(m => m.Count(x => x.Token == token) >= (deferred ? parts : parts - 1), TimeSpan.FromSeconds(60)))
            .Where(m => m.Token == token)];

        Assert.Contains(response.GetProperty("type").GetInt32(), new[] { InteractionCallback.ChannelMessage, InteractionCallback.DeferredChannelMessage });
        var messages = new List<JsonElement>();
        if (deferred)
            Assert.Equal("PATCH", followups[0].Method);
        else
            messages.Add(response.GetProperty("data"));
        Assert.All(followups.Skip(deferred ? 1 : 0), f => Assert.Equal("POST", f.Method));
        messages.AddRange(followups.Select(f => JsonDocument.Parse(f.Body.ToJsonString()).RootElement));
        Assert.True(parts >= 3, $"the digest takes {parts} message(s)");
        Assert.Equal(parts, messages.Count);
        foreach (var message in messages)
        {
            AssertSendable(message);
            Assert.InRange(DiscordLimits.EmbedTotal(message), 1, DiscordRenderer.MaxMessageTotal);
        }
        Assert.Equal(ZebrafishReport.Title, Text(Embeds(messages[0])[0], "title") is { } t ? DiscordMarkdown.Unescape(t) : null);
        var visible = string.Join("\n", messages.Select(Visible));
        var at = 0;
        foreach (var title in ZebrafishReport.AllTitles)
        {
            var found = visible.IndexOf(title, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"missing or out of order: {title}");
            at = found;
        }
        Assert.Contains(ZebrafishReport.HostileSummary, visible, StringComparison.Ordinal);
        Assert.Contains(Squash(ZebrafishReport.LongIntro), Squash(visible), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hostile_query_is_shown_literally_and_can_ping_no_one()
    {
        const string query = "@everyone **bold** <@&123> `x` ||s|| @here";

        var message = (await CommandAsync(Interactions.Command("patch", "en-US", ("query", query)))).GetProperty("data");

        AssertSendable(message);
        var title = Text(Embeds(message)[0], "title")!;
        Assert.Equal("Search: " + query, DiscordMarkdown.Unescape(title));
        Assert.Contains("\\*\\*bold\\*\\*", title, StringComparison.Ordinal);
        Assert.Contains("@\u200beveryone", title, StringComparison.Ordinal);
        Assert.Contains("\\<@\u200b&123\\>", title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_6000_character_query_gets_a_short_error_within_the_limits()
    {
        var query = string.Concat(Enumerable.Repeat("@everyone **x** ", 375));

        var message = (await CommandAsync(Interactions.Command("patch", "en-US", ("query", query)))).GetProperty("data");

        AssertSendable(message);
        Assert.Equal(BotTexts.En.TooLong(Core.Search.PatchQuery.MaxLength), Text(Embeds(message)[0], "title"));
    }

    /// <summary>Opens the interaction on the REST double (follow-ups need it) and posts it.</summary>
    private async Task<JsonElement> CommandAsync(JsonObject payload)
    {
        fixture.Discord.OpenInteraction((string)payload["token"]!);
        return await App.InteractAsync(payload, fixture.Signer);
    }
}
