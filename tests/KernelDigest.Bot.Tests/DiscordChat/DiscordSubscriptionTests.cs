using KernelDigest.Core.Commands;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using KernelDigest.Bot.DiscordChat;
using KernelDigest.Bot.Subscriptions;
using Microsoft.Extensions.DependencyInjection;
using static KernelDigest.Bot.Tests.DiscordChat.DiscordMessages;

namespace KernelDigest.Bot.Tests.DiscordChat;

/// <summary>
/// /subscribe, /unsubscribe and /subscription over the running bot's interactions endpoint, with signed payloads: who
/// may change a channel's subscription (the member's permission bitfield), and the digest that /subscribe posts to the
/// channel through the REST double. Each test uses its own channel ids, so the shared bot and database stay independent.
/// </summary>
public sealed class DiscordSubscriptionTests(DiscordAppFixture fixture) : IClassFixture<DiscordAppFixture>
{
    private const string Administrator = "8";
    private const string ManageChannels = "16";
    private const string ManageGuild = "32";
    private const string Nothing = "0";

    private static int _channel;

    private static readonly SubscriptionTexts En = SubscriptionTexts.En;

    public static TheoryData<string, string> Admins => new()
    {
        { Administrator, "ADMINISTRATOR" },
        { ManageGuild, "MANAGE_GUILD" },
        { ManageChannels, "MANAGE_CHANNELS" },
        { "2251799813685247", "every permission" },
        { (1L << 5 | 1L << 10 | 1L << 11).ToString(CultureInfo.InvariantCulture), "MANAGE_GUILD with VIEW_CHANNEL and SEND_MESSAGES" },
    };

    public static TheoryData<string, string> NotAdmins => new()
    {
        { Nothing, "no permission" },
        { (1L << 10 | 1L << 11 | 1L << 31).ToString(CultureInfo.InvariantCulture), "VIEW_CHANNEL, SEND_MESSAGES, USE_APPLICATION_COMMANDS" },
        { ((1L << 50) - 1 & ~0b111000L).ToString(CultureInfo.InvariantCulture), "every permission but ADMINISTRATOR, MANAGE_CHANNELS and MANAGE_GUILD" },
        { "not-a-number", "garbage" },
    };

    [Theory]
    [MemberData(nameof(Admins))]
    public async Task A_member_who_manages_the_server_or_channel_subscribes_it_and_the_latest_digest_is_posted_there(string permissions, string who)
    {
        var channel = NewChannel();

        var reply = await AnswerAsync(Command("subscribe", channel, permissions));

        AssertSendable(reply);
        Assert.True(En.Subscribed == Title(reply), $"{who}: {Visible(reply)}");
        Assert.Contains(En.Filter(En.AllSubsystems), Visible(reply), StringComparison.Ordinal);
        Assert.Contains(En.LatestFollows(ZebrafishReport.Month), Visible(reply), StringComparison.Ordinal);
        Assert.Equal(DiscordRenderer.Color, Embeds(reply)[0].GetProperty("color").GetInt32());

        // The outbox sends the latest month to the channel; /subscription (open to everyone) then shows it delivered.
        var state = await WaitForStateAsync(channel, s => s.Contains(En.LastDelivered(ZebrafishReport.Month), StringComparison.Ordinal));
        Assert.Contains(En.Status(En.Active), state, StringComparison.Ordinal);
        Assert.Contains(En.Language("en"), state, StringComparison.Ordinal);
        AssertWholeDigestPostedOnce(channel);
    }

    [Theory]
    [MemberData(nameof(NotAdmins))]
    public async Task Any_other_member_is_refused_politely_naming_the_permissions_and_nothing_changes(string permissions, string who)
    {
        var channel = NewChannel();

        var subscribe = await AnswerAsync(Command("subscribe", channel, permissions));
        var unsubscribe = await AnswerAsync(Command("unsubscribe", channel, permissions));
        var state = await AnswerAsync(Command("subscription", channel, permissions));

        foreach (var refusal in new[] { subscribe, unsubscribe })
        {
            AssertSendable(refusal);
            Assert.True(En.NotAdmin == Title(refusal), $"{who}: {Visible(refusal)}");
            Assert.Contains("Administrator, Manage Server or Manage Channels", Visible(refusal), StringComparison.Ordinal);
            Assert.Equal(DiscordRenderer.ErrorColor, Embeds(refusal)[0].GetProperty("color").GetInt32());
        }
        Assert.Equal(En.NotSubscribed, Title(state));
        // Every answer is in, and a subscription is stored before its answer: with none in the store, no digest is
        // owed to the channel, so none can be on its way.
        Assert.Null(await fixture.App.Services.GetRequiredService<SubscriptionStore>().GetAsync(new ChatAddress(Platform.Discord, channel), CancellationToken.None));
        Assert.DoesNotContain(fixture.Discord.ChannelMessages, m => m.ChannelId == channel);
    }

    [Fact]
    public async Task A_member_without_permissions_cannot_unsubscribe_but_one_with_Manage_Channels_can()
    {
        var channel = NewChannel();
        Assert.Equal(En.Subscribed, Title(await AnswerAsync(Command("subscribe", channel, ManageGuild))));

        var refused = await AnswerAsync(Command("unsubscribe", channel, Nothing));
        var stillOn = await AnswerAsync(Command("subscription", channel, Nothing));
        var done = await AnswerAsync(Command("unsubscribe", channel, ManageChannels));
        var again = await AnswerAsync(Command("unsubscribe", channel, Administrator));
        var off = await AnswerAsync(Command("subscription", channel, Nothing));

        Assert.Equal(En.NotAdmin, Title(refused));
        Assert.Equal(En.StateTitle, Title(stillOn));
        Assert.Contains(En.Status(En.Active), Visible(stillOn), StringComparison.Ordinal);
        Assert.Equal(En.Unsubscribed, Title(done));
        Assert.Equal(En.NotSubscribed, Title(again));
        Assert.Equal(En.NotSubscribed, Title(off));
        Assert.Contains(En.HowToSubscribe, Visible(off), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_subsystem_filter_in_Chinese_is_kept_and_only_its_section_is_posted()
    {
        var channel = NewChannel();

        var reply = await AnswerAsync(Command("subscribe", channel, Administrator, "zh-CN", ("subsystems", "filesystems")));

        Assert.Equal(SubscriptionTexts.Zh.Subscribed, Title(reply));
        Assert.Contains("范围:文件系统", Visible(reply), StringComparison.Ordinal);
        var state = await WaitForStateAsync(channel, s => s.Contains(SubscriptionTexts.Zh.LastDelivered(ZebrafishReport.Month), StringComparison.Ordinal), "zh-CN");
        Assert.Contains("范围:文件系统", state, StringComparison.Ordinal);
        var posted = string.Join("\n", fixture.Discord.ChannelMessages.Where(m => m.ChannelId == channel).Select(m => Visible(Parse(m.Body))));
        Assert.Contains(ZebrafishReport.EntryTitle(ZebrafishReport.VirtualizationEntries + 1), posted, StringComparison.Ordinal);
        Assert.DoesNotContain(ZebrafishReport.EntryTitle(2), posted, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_subsystem_is_explained_and_subscribes_nothing()
    {
        var channel = NewChannel();

        var reply = await AnswerAsync(Command("subscribe", channel, Administrator, "en-US", ("subsystems", "kvm @everyone nosuchthing")));
        var state = await AnswerAsync(Command("subscription", channel, Administrator));

        AssertSendable(reply);
        Assert.Equal(En.UnknownSubsystem("@everyone"), DiscordMarkdown.Unescape(Title(reply)!));
        Assert.Contains("@\u200beveryone", Title(reply), StringComparison.Ordinal);
        Assert.Equal(DiscordRenderer.ErrorColor, Embeds(reply)[0].GetProperty("color").GetInt32());
        Assert.Equal(En.NotSubscribed, Title(state));
    }

    [Fact]
    public async Task The_channel_id_may_come_as_a_channel_object_and_the_subscriber_is_recorded_from_member_user()
    {
        var channel = NewChannel();
        var payload = Command("subscribe", channel, ManageChannels);
        payload.Remove("channel_id");
        payload["channel"] = new JsonObject { ["id"] = channel, ["type"] = 0, ["name"] = "kernel" };

        var reply = await AnswerAsync(payload);

        Assert.Equal(En.Subscribed, Title(reply));
        await WaitForStateAsync(channel, s => s.Contains(En.LastDelivered(ZebrafishReport.Month), StringComparison.Ordinal));
    }

    [Fact]
    public async Task In_a_DM_there_is_no_member_so_subscribing_is_refused()
    {
        var channel = NewChannel();
        var payload = Command("subscribe", channel, Administrator);
        payload.Remove("member");
        payload.Remove("guild_id");
        payload["user"] = new JsonObject { ["id"] = "333333333333333333", ["username"] = "tester" };

        var reply = await AnswerAsync(payload);

        Assert.Equal(En.NotAdmin, Title(reply));
    }

    [Fact]
    public void The_subscription_commands_are_registered_with_permissions_contexts_and_zh_CN_names()
    {
        var commands = fixture.Discord.Commands(DiscordAppFixture.DevGuildId).Select(c => c!.AsObject()).ToDictionary(c => (string)c["name"]!);

        foreach (var (name, zh) in new[] { ("subscribe", "订阅"), ("unsubscribe", "退订"), ("subscription", "订阅状态") })
        {
            var command = commands[name];
            Assert.Equal(zh, (string)command["name_localizations"]!["zh-CN"]!);
            Assert.False(string.IsNullOrEmpty((string?)command["description_localizations"]!["zh-CN"]));
            Assert.Equal(new[] { 0 }, command["contexts"]!.AsArray().Select(c => (int)c!));
            Assert.False((bool)command["dm_permission"]!);
        }
        Assert.Equal("48", (string)commands["subscribe"]["default_member_permissions"]!);
        Assert.Equal("48", (string)commands["unsubscribe"]["default_member_permissions"]!);
        Assert.Null(commands["subscription"]["default_member_permissions"]);
        var option = Assert.Single(commands["subscribe"]["options"]!.AsArray())!;
        Assert.Equal("subsystems", (string)option["name"]!);
        Assert.Equal("子系统", (string)option["name_localizations"]!["zh-CN"]!);
        Assert.Equal(3, (int)option["type"]!);
        Assert.False((bool?)option["required"] ?? false);
        Assert.Null(option["autocomplete"]);
    }

    [Fact]
    public async Task A_thread_and_its_parent_channel_hold_subscriptions_of_their_own()
    {
        var parent = NewChannel();
        var thread = NewChannel();
        var inThread = Command("subscribe", thread, Administrator, "zh-CN");
        // A public thread: Discord sends the thread as the interaction's channel, with its parent.
        inThread["channel"] = new JsonObject { ["id"] = thread, ["type"] = 11, ["parent_id"] = parent };

        Assert.Equal(SubscriptionTexts.Zh.Subscribed, Title(await AnswerAsync(inThread)));
        Assert.Equal(En.Subscribed, Title(await AnswerAsync(Command("subscribe", parent, Administrator))));
        await WaitForStateAsync(thread, s => s.Contains(SubscriptionTexts.Zh.LastDelivered(ZebrafishReport.Month), StringComparison.Ordinal), "zh-CN");
        await WaitForStateAsync(parent, s => s.Contains(En.LastDelivered(ZebrafishReport.Month), StringComparison.Ordinal));

        AssertWholeDigestPostedOnce(thread);
        AssertWholeDigestPostedOnce(parent);
        Assert.Equal(En.Unsubscribed, Title(await AnswerAsync(Command("unsubscribe", thread, Administrator))));
        Assert.Contains(En.Status(En.Active), Visible(await AnswerAsync(Command("subscription", parent, Nothing))), StringComparison.Ordinal);
        Assert.Equal(En.NotSubscribed, Title(await AnswerAsync(Command("subscription", thread, Nothing))));
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>A channel id no other test uses, known to the REST double.</summary>
    private string NewChannel()
    {
        var channel = "5100000000000" + Interlocked.Increment(ref _channel).ToString("D5", CultureInfo.InvariantCulture);
        fixture.Discord.AddChannel(channel);
        return channel;
    }

    private JsonObject Command(string name, string channel, string permissions, string locale = "en-US", params (string Name, string Value)[] options)
    {
        var payload = Interactions.Command(name, locale, options);
        payload["channel_id"] = channel;
        payload["member"]!["permissions"] = permissions;
        fixture.Discord.OpenInteraction((string)payload["token"]!);
        return payload;
    }

    /// <summary>The answer: the response's message, or the edit of @original when the bot deferred (a slow machine).</summary>
    private async Task<JsonElement> AnswerAsync(JsonObject payload)
    {
        var token = (string)payload["token"]!;
        var response = await fixture.App.InteractAsync(payload, fixture.Signer);
        var type = response.GetProperty("type").GetInt32();
        if (type == InteractionCallback.ChannelMessage)
            return response.GetProperty("data");
        Assert.Equal(InteractionCallback.DeferredChannelMessage, type);
        var sent = await fixture.Discord.WaitForWebhookMessagesAsync(m => m.Any(x => x.Token == token && x.IsEditOfOriginal));
        return Parse(sent.First(x => x.Token == token && x.IsEditOfOriginal).Body);
    }

    /// <summary>Asks /subscription (as a member without permissions) until its answer satisfies <paramref name="done"/>.</summary>
    private async Task<string> WaitForStateAsync(string channel, Func<string, bool> done, string locale = "en-US")
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var state = Visible(await AnswerAsync(Command("subscription", channel, Nothing, locale)));
            if (done(state))
                return state;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"/subscription never showed the expected state; last:\n{state}\n{fixture.App.Logs}");
            await Task.Delay(200);
        }
    }

    /// <summary>Every entry of the report reached the channel, in order, in sendable messages, and nothing twice.</summary>
    private void AssertWholeDigestPostedOnce(string channel)
    {
        var posted = fixture.Discord.ChannelMessages.Where(m => m.ChannelId == channel).ToList();
        Assert.True(posted.Count >= 2, $"{posted.Count} messages");
        var messages = posted.Select(m => Parse(m.Body)).ToList();
        Assert.All(messages, AssertSendable);
        Assert.Equal(ZebrafishReport.Title, DiscordMarkdown.Unescape(Text(Embeds(messages[0])[0], "title")!));
        var visible = string.Join("\n", messages.Select(Visible));
        var at = 0;
        foreach (var title in ZebrafishReport.AllTitles)
        {
            var found = visible.IndexOf(title, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"missing or out of order: {title}");
            at = found;
        }
        Assert.Equal(1, CountOf(visible, ZebrafishReport.EntryTitle(2)));
        Assert.Equal(posted.Count, posted.Select(m => m.Id).Distinct().Count());
    }

    private static int CountOf(string text, string part)
    {
        var n = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
            n++;
        return n;
    }


}
