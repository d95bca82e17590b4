using System.Text.Json;
using System.Text.Json.Nodes;
using KernelDigest.Bot.DiscordChat;
using static KernelDigest.Bot.Tests.DiscordChat.DiscordMessages;

namespace KernelDigest.Bot.Tests.DiscordChat;

/// <summary>
/// The path for work that could miss Discord's 3-second deadline: with Discord:DeferAfterMilliseconds=0 every command
/// is acknowledged at once (type 5, or 6 for a button) and its answer arrives by editing @original through the webhook.
/// </summary>
public sealed class DiscordDeferralTests(DeferringDiscordAppFixture fixture) : IClassFixture<DeferringDiscordAppFixture>
{
    [Fact]
    public async Task A_deferred_command_is_acknowledged_then_its_answer_replaces_the_original()
    {
        var payload = Interactions.Command("patch", "en-US", ("query", "TDP MMU"));
        var token = Open(payload);

        var response = await fixture.App.InteractAsync(payload, fixture.Signer);
        var sent = await fixture.Discord.WaitForWebhookMessagesAsync(m => m.Any(x => x.Token == token));

        Assert.Equal("""{"type":5}""", response.GetRawText());
        var edit = Assert.Single(sent, m => m.Token == token);
        Assert.True(edit.IsEditOfOriginal);
        Assert.Equal($"/api/v10/webhooks/{fixture.Discord.ApplicationId}/{token}/messages/@original", edit.Path);
        var message = Parse(edit.Body);
        AssertSendable(message);
        Assert.Equal("Search: TDP MMU", Text(Embeds(message)[0], "title"));
        var request = fixture.Discord.Requests.Single(r => r.Path == edit.Path);
        Assert.Equal("Bot " + fixture.Discord.Token, request.Authorization);
        Assert.StartsWith("DiscordBot (", request.UserAgent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deferred_long_answer_edits_the_original_then_adds_follow_ups_in_order()
    {
        var payload = Interactions.Command("month", "en-US", ("month", ZebrafishReport.Month));
        var token = Open(payload);

        var response = await fixture.App.InteractAsync(payload, fixture.Signer);
        var sent = await fixture.Discord.WaitForWebhookMessagesAsync(m => m.Count(x => x.Token == token) >= 3);

        Assert.Equal(InteractionCallback.DeferredChannelMessage, response.GetProperty("type").GetInt32());
        var mine = sent.Where(m => m.Token == token).ToList();
        Assert.True(mine[0].IsEditOfOriginal);
        Assert.All(mine.Skip(1), m => Assert.Equal("POST", m.Method));
        Assert.Equal(ZebrafishReport.Title, DiscordMarkdown.Unescape(Text(Embeds(Parse(mine[0].Body))[0], "title")!));
        Assert.All(mine, m => AssertSendable(Parse(m.Body)));
    }

    [Fact]
    public async Task A_deferred_page_button_acknowledges_with_type_6_then_edits_the_message()
    {
        var first = Interactions.Command("patch", "en-US", ("query", "zebrafish"));
        var firstToken = Open(first);
        await fixture.App.InteractAsync(first, fixture.Signer);
        var page1 = (await fixture.Discord.WaitForWebhookMessagesAsync(m => m.Any(x => x.Token == firstToken))).First(x => x.Token == firstToken).Body;
        var click = Interactions.Button("pg|3|zebrafish", "en-US", page1);
        var token = Open(click);

        var response = await fixture.App.InteractAsync(click, fixture.Signer);
        var sent = await fixture.Discord.WaitForWebhookMessagesAsync(m => m.Any(x => x.Token == token));

        Assert.Equal("""{"type":6}""", response.GetRawText());
        var edit = Assert.Single(sent, m => m.Token == token);
        Assert.True(edit.IsEditOfOriginal);
        Assert.Equal("Page 3/9, 42 results", Embeds(Parse(edit.Body))[0].GetProperty("footer").GetProperty("text").GetString());
    }

    [Fact]
    public async Task The_log_shows_neither_the_bot_token_nor_interaction_tokens_even_when_a_follow_up_fails()
    {
        var answered = Interactions.Command("help", "en-US");
        var answeredToken = Open(answered);
        var expired = Interactions.Command("help", "zh-CN"); // never opened on the double: its webhook is "unknown"
        var expiredToken = (string)expired["token"]!;

        await fixture.App.InteractAsync(answered, fixture.Signer);
        await fixture.App.InteractAsync(expired, fixture.Signer);
        await fixture.Discord.WaitForWebhookMessagesAsync(m => m.Any(x => x.Token == answeredToken));
        await WaitUntilAsync(() => fixture.App.Logs.Contains("follow-up could not be sent", StringComparison.Ordinal));

        Assert.Contains(fixture.Discord.Requests, r => r.Path.Contains(expiredToken, StringComparison.Ordinal) && r.Status == 404);
        var log = fixture.App.Logs;
        Assert.Contains("Unknown Webhook", log, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Discord.Token, log, StringComparison.Ordinal);
        Assert.DoesNotContain(answeredToken, log, StringComparison.Ordinal);
        Assert.DoesNotContain(expiredToken, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deferred_subscribe_is_answered_through_the_webhook_and_the_digest_follows_in_the_channel()
    {
        const string channel = "520000000000000001";
        fixture.Discord.AddChannel(channel);
        var payload = Interactions.Command("subscribe", "en-US");
        payload["channel_id"] = channel;
        payload["member"]!["permissions"] = "32"; // MANAGE_GUILD
        var token = Open(payload);

        var response = await fixture.App.InteractAsync(payload, fixture.Signer);
        var sent = await fixture.Discord.WaitForWebhookMessagesAsync(m => m.Any(x => x.Token == token));
        await WaitUntilAsync(() => fixture.Discord.ChannelMessages.Any(m => m.ChannelId == channel));

        Assert.Equal("""{"type":5}""", response.GetRawText());
        var edit = Assert.Single(sent, m => m.Token == token);
        Assert.True(edit.IsEditOfOriginal);
        var answer = Parse(edit.Body);
        AssertSendable(answer);
        Assert.Equal(KernelDigest.Bot.Subscriptions.SubscriptionTexts.En.Subscribed, Text(Embeds(answer)[0], "title"));
        var first = Parse(fixture.Discord.ChannelMessages.First(m => m.ChannelId == channel).Body);
        Assert.Equal(ZebrafishReport.Title, DiscordMarkdown.Unescape(Text(Embeds(first)[0], "title")!));
    }

    private async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"timed out\n--- bot log ---\n{fixture.App.Logs}");
            await Task.Delay(50);
        }
    }

    private string Open(JsonObject payload)
    {
        var token = (string)payload["token"]!;
        fixture.Discord.OpenInteraction(token);
        return token;
    }

}
