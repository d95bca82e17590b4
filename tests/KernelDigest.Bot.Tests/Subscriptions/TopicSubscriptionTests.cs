using Microsoft.Extensions.DependencyInjection;
using KernelDigest.Bot.Subscriptions;
using KernelDigest.Bot.Tests.TelegramChat;
using KernelDigest.Bot.Tests.TelegramDouble;
using KernelDigest.Core.Commands;

namespace KernelDigest.Bot.Tests.Subscriptions;

/// <summary>
/// Subscriptions per forum topic: /subscribe in a topic subscribes that topic, its digest is posted there, and two
/// topics of one group keep their own filters and their own fate.
/// </summary>
public sealed class TopicSubscriptionTests(TelegramBotFixture fixture) : IClassFixture<TelegramBotFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly FakeBotApi _api = fixture.Api;

    private Task<SentMessage> Nth(long chat, int? thread, int n) =>
        fixture.Bot.Within(_api.WaitFor(a => a.SentMessages.Where(m => m.ChatId == chat && m.MessageThreadId == thread).Skip(n).FirstOrDefault(), Patience));

    [Fact]
    public async Task Two_topics_of_a_forum_subscribe_with_their_own_filters_and_get_their_digests_in_their_topic()
    {
        var group = -(5_000_000L + Random.Shared.Next(1, 1_000_000));
        const long admin = 91;
        _api.SetChatMember(group, admin, "administrator");

        _api.EnqueueMessage(group, "/subscribe kvm", chatType: "supergroup", fromId: admin, languageCode: "en", threadId: 7, isTopic: true);
        var kvmReply = await Nth(group, 7, 0);
        var kvmDigest = await Nth(group, 7, 1);
        _api.EnqueueMessage(group, "/subscribe fs", chatType: "supergroup", fromId: admin, languageCode: "en", threadId: 9, isTopic: true);
        var fsReply = await Nth(group, 9, 0);
        var fsDigest = await Nth(group, 9, 1);

        Assert.StartsWith("Subscribed to the Linux kernel monthly digest", kvmReply.PlainText, StringComparison.Ordinal);
        Assert.Contains("Subsystems: Virtualization", kvmReply.PlainText, StringComparison.Ordinal);
        Assert.Contains("Introducethe TDP MMU", kvmDigest.PlainText, StringComparison.Ordinal);
        Assert.DoesNotContain("RWF_NOAPPEND", kvmDigest.PlainText, StringComparison.Ordinal);
        Assert.StartsWith("Subscribed to the Linux kernel monthly digest", fsReply.PlainText, StringComparison.Ordinal);
        Assert.Contains("RWF_NOAPPEND", fsDigest.PlainText, StringComparison.Ordinal);
        Assert.DoesNotContain("TDP MMU", fsDigest.PlainText, StringComparison.Ordinal);
        // Nothing went to the group's General topic.
        Assert.DoesNotContain(_api.SentMessages, m => m.ChatId == group && m.MessageThreadId is null);

        // Each topic's /subscription shows its own; unsubscribing one leaves the other.
        var before9 = _api.SentMessages.Count(m => m.ChatId == group && m.MessageThreadId == 9);
        _api.EnqueueMessage(group, "/unsubscribe", chatType: "supergroup", fromId: admin, languageCode: "en", threadId: 7, isTopic: true);
        _api.EnqueueMessage(group, "/subscription", chatType: "supergroup", fromId: admin, languageCode: "en", threadId: 9, isTopic: true);
        var unsubscribed = await Nth(group, 7, 2);
        var state = await Nth(group, 9, before9);
        Assert.StartsWith("Unsubscribed", unsubscribed.PlainText, StringComparison.Ordinal);
        Assert.Contains("Status: active", state.PlainText, StringComparison.Ordinal);
        Assert.Contains("Subsystems: Filesystems", state.PlainText, StringComparison.Ordinal);
    }
}

/// <summary>What a gone topic or a gone chat does to the subscriptions of a forum's topics.</summary>
public sealed class TopicDeliveryTests
{
    [Fact]
    public async Task A_deleted_topic_pauses_only_its_subscription_and_a_kicked_bot_pauses_every_topic()
    {
        await using var api = await FakeBotApi.StartAsync();
        await using var h = await SubscriptionsHarness.StartAsync(api, TestDatabases.Sqlite());
        var forum = new ChatAddress(Platform.Telegram, "-1001");
        ChatAddress[] topics = [forum with { ThreadId = "5" }, forum with { ThreadId = "6" }];
        foreach (var topic in topics)
            await h.Store.SubscribeAsync(topic, "en", "", "test", CancellationToken.None);
        // Whichever topic is sent to first turns out to be deleted.
        api.FailNext("sendMessage", 400, "Bad Request: message thread not found", chatId: -1001);

        await h.Planner.PlanAsync(null, CancellationToken.None);
        var counts = await h.Dispatcher.DrainAsync(CancellationToken.None);

        Assert.Equal(1, counts.Paused);
        Assert.Equal(1, counts.Sent);
        var states = await Task.WhenAll(topics.Select(c => h.Store.GetAsync(c, CancellationToken.None)));
        var paused = Assert.Single(states, s => s!.Status == SubscriptionStatus.Paused)!;
        var active = Assert.Single(states, s => s!.Status == SubscriptionStatus.Active)!;
        Assert.Contains("message thread not found", paused.PausedReason, StringComparison.Ordinal);
        // The other topic's digest went to that topic, and only there.
        var sent = api.SentMessages.Where(m => m.ChatId == -1001).ToList();
        Assert.NotEmpty(sent);
        Assert.All(sent, m => Assert.Equal(int.Parse(active.ThreadId, System.Globalization.CultureInfo.InvariantCulture), m.MessageThreadId));

        // The bot removed from the group: every topic's subscription pauses, whichever address reported it.
        await h.Store.SubscribeAsync(paused.Address, "en", "", "test", CancellationToken.None); // resumed by an admin
        var gone = new KernelDigest.Bot.Chats.SendResult.Gone(KernelDigest.Bot.Chats.GoneReason.Kicked, "Forbidden: bot was kicked from the supergroup chat");
        await h.Services.GetRequiredService<ChatStates>().ApplyAsync(active.Address, gone, CancellationToken.None);

        var after = await Task.WhenAll(topics.Select(c => h.Store.GetAsync(c, CancellationToken.None)));
        Assert.All(after, s => Assert.Equal(SubscriptionStatus.Paused, s!.Status));
    }
}
