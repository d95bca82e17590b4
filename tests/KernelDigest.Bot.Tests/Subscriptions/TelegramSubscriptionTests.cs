using KernelDigest.Core.Commands;
using System.Globalization;
using KernelDigest.Bot.Subscriptions;
using KernelDigest.Bot.Tests.TelegramChat;
using KernelDigest.Bot.Tests.TelegramDouble;
using Microsoft.Extensions.DependencyInjection;

namespace KernelDigest.Bot.Tests.Subscriptions;

/// <summary>/subscribe, /unsubscribe and /subscription on Telegram: who may, what they see, and membership changes.</summary>
public sealed class TelegramSubscriptionTests(TelegramBotFixture fixture) : IClassFixture<TelegramBotFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly FakeBotApi _api = fixture.Api;

    private Task<SentMessage> Reply(long chat, int after) =>
        fixture.Bot.Within(_api.WaitFor(a => a.SentMessages.Where(m => m.ChatId == chat).Skip(after).FirstOrDefault(), Patience));

    /// <summary>
    /// The first message to the chat that <paramref name="match"/> accepts. After /subscribe, its answer and the digest
    /// may reach the chat in either order: the answer wakes the delivery before it is itself sent.
    /// </summary>
    private Task<SentMessage> First(long chat, Func<SentMessage, bool> match) =>
        fixture.Bot.Within(_api.WaitFor(a => a.SentMessages.FirstOrDefault(m => m.ChatId == chat && match(m)), Patience));

    private static bool StartsWith(SentMessage message, string text) => message.PlainText.StartsWith(text, StringComparison.Ordinal);

    private const string DigestTitle = "Linux阅码场 - Linux内核月报(2020年09月)";

    private int Count(long chat) => _api.SentMessages.Count(m => m.ChatId == chat);

    private SubscriptionStore Store => fixture.Bot.Services.GetRequiredService<SubscriptionStore>();

    /// <summary>Waits until the store records the digest as delivered to the chat, which it does once every part has been sent.</summary>
    private async Task WaitUntilDeliveredAsync(long chat)
    {
        var id = chat.ToString(CultureInfo.InvariantCulture);
        var deadline = DateTime.UtcNow + Patience;
        while (await Store.GetAsync(new ChatAddress(Platform.Telegram, id), CancellationToken.None) is not { } s || await Store.LastDeliveredAsync(s.Id, CancellationToken.None) is null)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the digest was not recorded as delivered to {chat}\n--- bot log ---\n{fixture.Bot.Logs}");
            await Task.Delay(50);
        }
    }

    [Theory]
    [InlineData("creator", true)]
    [InlineData("administrator", true)]
    [InlineData("member", false)]
    [InlineData("restricted", false)]
    public async Task In_a_group_only_the_owner_and_administrators_may_subscribe(string status, bool allowed)
    {
        var group = -(4_000_000L + Random.Shared.Next(1, 1_000_000));
        const long user = 77;
        _api.SetChatMember(group, user, status);

        _api.EnqueueMessage(group, "/subscribe kvm", chatType: "supergroup", fromId: user, languageCode: "en");

        if (allowed)
        {
            var reply = await First(group, m => StartsWith(m, "Subscribed to the Linux kernel monthly digest"));
            Assert.Contains("Subsystems: Virtualization", reply.PlainText, StringComparison.Ordinal);
            Assert.Contains("Next digest: ", reply.PlainText, StringComparison.Ordinal);
            Assert.Contains("(Asia/Shanghai)", reply.PlainText, StringComparison.Ordinal);
            // The latest digest follows at once, filtered to the subscription's subsystems.
            var digest = await First(group, m => StartsWith(m, DigestTitle));
            Assert.Contains("Introducethe TDP MMU", digest.PlainText, StringComparison.Ordinal);
            Assert.DoesNotContain("RWF_NOAPPEND", digest.PlainText, StringComparison.Ordinal);
        }
        else
        {
            var reply = await Reply(group, 0);
            Assert.StartsWith("Only this chat's administrators can change its subscription.", reply.PlainText, StringComparison.Ordinal);
            Assert.Contains("owner or an administrator", reply.PlainText, StringComparison.Ordinal);
            // The bot has handled the update (its offset is past it) and stored no subscription: no digest is owed
            // to the group, so none can be on its way.
            await TelegramPollingTests.WaitUntilEveryUpdateIsHandled(_api);
            Assert.Null(await Store.GetAsync(new ChatAddress(Platform.Telegram, group.ToString(CultureInfo.InvariantCulture)), CancellationToken.None));
            Assert.Equal(1, Count(group)); // and no digest
        }
    }

    [Fact]
    public async Task In_a_private_chat_the_user_may_subscribe_see_the_state_and_unsubscribe()
    {
        const long chat = 880_001;
        _api.EnqueueMessage(chat, "/subscribe", languageCode: "zh-hans");
        var subscribed = await First(chat, m => StartsWith(m, "已订阅 Linux 内核月报"));
        Assert.Contains("范围:全部子系统", subscribed.PlainText, StringComparison.Ordinal);
        await First(chat, m => StartsWith(m, DigestTitle));
        await WaitUntilDeliveredAsync(chat); // every part: a delivery is marked sent after its last part

        var before = Count(chat);
        _api.EnqueueMessage(chat, "/subscription", languageCode: "zh-hans");
        var state = await Reply(chat, before);
        Assert.Contains("状态:推送中", state.PlainText, StringComparison.Ordinal);
        Assert.Contains("最近送达:2020-09", state.PlainText, StringComparison.Ordinal);

        _api.EnqueueMessage(chat, "/unsubscribe", languageCode: "zh-hans");
        Assert.StartsWith("已取消订阅", (await Reply(chat, before + 1)).PlainText, StringComparison.Ordinal);
        _api.EnqueueMessage(chat, "/subscription", languageCode: "zh-hans");
        Assert.StartsWith("本聊天没有订阅月报。", (await Reply(chat, before + 2)).PlainText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_channel_post_counts_as_from_an_administrator()
    {
        const long channel = -1009988776655;
        _api.EnqueueChannelPost(channel, "/subscribe fs");
        var reply = await First(channel, m => StartsWith(m, "已订阅 Linux 内核月报"));
        Assert.Contains("范围:文件系统", reply.PlainText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_subsystems_are_refused_with_the_list()
    {
        const long chat = 880_002;
        _api.EnqueueMessage(chat, "/subscribe kvm <b>nonsense</b>", languageCode: "en");
        var reply = await Reply(chat, 0);
        Assert.StartsWith("There is no subsystem called \"<b>nonsense</b>\".", reply.PlainText, StringComparison.Ordinal);
        Assert.Contains("virtualization", reply.PlainText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Removing_the_bot_pauses_the_subscription_and_adding_it_back_offers_to_resume()
    {
        const long group = -5_550_001;
        _api.SetChatMember(group, 1, "administrator");
        _api.EnqueueMessage(group, "/subscribe", chatType: "group", languageCode: "en");
        await First(group, m => StartsWith(m, "Subscribed to"));
        await WaitUntilDeliveredAsync(group); // and every part of the digest

        _api.EnqueueMyChatMember(group, newStatus: "kicked", oldStatus: "member", chatType: "group");
        _api.EnqueueMyChatMember(group, newStatus: "member", oldStatus: "kicked", chatType: "group");
        var after = Count(group);
        var welcome = await Reply(group, after);
        Assert.StartsWith("Welcome back! This chat's digest subscription is paused", welcome.PlainText, StringComparison.Ordinal);

        _api.EnqueueMessage(group, "/subscription", chatType: "group", languageCode: "en");
        var state = await Reply(group, after + 1);
        Assert.Contains("Status: paused", state.PlainText, StringComparison.Ordinal);
        Assert.Contains("the bot was removed from the chat", state.PlainText, StringComparison.Ordinal);
    }
}
