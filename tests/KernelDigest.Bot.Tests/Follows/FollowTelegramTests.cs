using System.Globalization;
using KernelDigest.Bot.Follows;
using KernelDigest.Bot.Tests.LoreDouble;
using KernelDigest.Bot.Tests.TelegramChat;
using KernelDigest.Bot.Tests.TelegramDouble;
using Microsoft.Extensions.DependencyInjection;

namespace KernelDigest.Bot.Tests.Follows;

/// <summary>
/// /follow, /following and /unfollow on Telegram, and the poller's notices, end to end: the real app in-process
/// against the Bot API double and the lore double, with messages added to lore while the bot runs and a one-second
/// poll interval.
/// </summary>
public sealed class FollowTelegramTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const string Author = "Ada Dev <ada@example.com>";
    private const string Maintainer = "Paolo Maint <paolo@example.org>";
    private const string Title = "KVM: x86: Frobnicate the widgets";

    /// <summary>The title as the bot shows it: the series builder drops the subsystem prefix.</summary>
    private const string Shown = "Frobnicate the widgets";

    private FakeBotApi _api = null!;
    private string _reports = null!;
    private FakeLore _lore = null!;
    private InProcessBot _bot = null!;
    private readonly string _tag = Guid.NewGuid().ToString("N")[..8];

    private string Id(string name) => $"{name}-{_tag}@example.com";

    public async Task InitializeAsync()
    {
        var archive = new LoreArchive();
        archive.AddInbox("kvm");
        var v2 = DateTimeOffset.UtcNow.AddHours(-3);
        archive.Add("kvm", Message(Id("v2-0"), $"[PATCH v2 0/2] {Title}", Author, v2, body: "This frobnicates.\n\nChanges in v2:\n- first rework\n"));
        archive.Add("kvm", Message(Id("v2-1"), $"[PATCH v2 1/2] {Title} part one", Author, v2.AddSeconds(1), parent: Id("v2-0")));
        archive.Add("kvm", Message(Id("v2-2"), $"[PATCH v2 2/2] {Title} part two", Author, v2.AddSeconds(2), parent: Id("v2-0")));
        _lore = await FakeLore.StartAsync(archive);
        _api = await FakeBotApi.StartAsync();
        // The bundled month and one whose entry links to the series on lore, in a folder the test may add months to.
        _reports = Directory.CreateTempSubdirectory("kd-follow-reports-").FullName;
        File.Copy(Path.Combine(AppContext.BaseDirectory, "config", "reports", "2020-09.md"), Path.Combine(_reports, "2020-09.md"));
        File.WriteAllText(Path.Combine(_reports, "2020-08.md"), Report("2020-08", Shown, $"https://lore.kernel.org/kvm/{Id("v2-0")}/"));
        _bot = await TelegramPollingTests.StartBotAsync(_api, extra: new Dictionary<string, string>
        {
            ["Reports__Directory"] = _reports,
            ["Lore__BaseUrl"] = _lore.BaseUrl.ToString(),
            ["Lore__PollInterval"] = "00:00:01",
            ["Lore__MaxRequestsPerMinute"] = "6000",
            ["Lore__MaxRetries"] = "0",
            ["Follows__Inboxes__0"] = "kvm",
            ["Follows__MaxPerChat"] = "2",
            ["Follows__MaxWatchesPerChat"] = "2",
            ["Follows__MaxWatchMatchesPerDay"] = "1",
        });
        await _bot.WaitForLog("started (polling)", Patience);
    }

    public async Task DisposeAsync()
    {
        await _bot.DisposeAsync();
        await _api.DisposeAsync();
        await _lore.DisposeAsync();
        Directory.Delete(_reports, recursive: true);
    }

    /// <summary>A month with one virtualization entry linking to <paramref name="link"/>.</summary>
    private static string Report(string month, string title, string link) =>
        $"---\nmonth: {month}\nissue: 9\ntitle: Test report {month}\n---\n\n# 虚拟化\n\n## {title}\n\n- authors: Ada Dev\n\nThe widgets are frobnicated at last.\n\n### Links\n\n- <{link}>\n";

    private static string Message(string id, string subject, string from, DateTimeOffset date, string? parent = null, string body = "A patch.\n") =>
        $"From: {from}\nTo: kvm@vger.kernel.org\nSubject: {subject}\nDate: {date.ToString("r", CultureInfo.InvariantCulture)}\nMessage-ID: <{id}>\n"
        + (parent is null ? "" : $"In-Reply-To: <{parent}>\nReferences: <{parent}>\n")
        + "Content-Type: text/plain; charset=utf-8\n\n" + body;

    private async Task<SentMessage> First(long chat, Func<SentMessage, bool> match)
    {
        try
        {
            return await _bot.Within(_api.WaitFor(a => a.SentMessages.FirstOrDefault(m => m.ChatId == chat && match(m)), Patience));
        }
        catch (TimeoutException ex)
        {
            // What the chat did get says more than the requests the double saw.
            var got = string.Join("\n---\n", _api.SentMessages.Where(m => m.ChatId == chat).Select(m => m.PlainText));
            throw new TimeoutException($"chat {chat} got:\n{got}\n=== {ex.Message}", ex);
        }
    }

    private int Count(long chat, string text) => _api.SentMessages.Count(m => m.ChatId == chat && m.PlainText.Contains(text, StringComparison.Ordinal));

    private FollowStore Store => _bot.Services.GetRequiredService<FollowStore>();

    /// <summary>Waits until every notice owed is recorded as sent and two more polls have finished after that.</summary>
    private async Task SettleAsync(int notices)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var owed = await Store.NoticesAsync(CancellationToken.None);
            if (owed.Count >= notices && owed.All(n => n.Status == "sent"))
                break;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"notices: {string.Join(", ", owed.Select(n => n.Status))}\n--- bot log ---\n{_bot.Logs}");
            await Task.Delay(50);
        }
        var polls = Polls();
        while (Polls() < polls + 2)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("the poller stopped polling\n" + _bot.Logs);
            await Task.Delay(50);
        }
    }

    private int Polls()
    {
        var logs = _bot.Logs;
        var count = 0;
        for (var i = logs.IndexOf("Follow poll: ", StringComparison.Ordinal); i >= 0; i = logs.IndexOf("Follow poll: ", i + 1, StringComparison.Ordinal))
            count++;
        return count;
    }

    [Fact]
    public async Task A_followed_series_gets_one_message_for_its_next_version_and_one_when_applied()
    {
        const long chat = 910_001;
        _api.EnqueueMessage(chat, $"/follow {_lore.BaseUrl}kvm/{Id("v2-1")}/", languageCode: "en");
        var followed = await First(chat, m => m.PlainText.StartsWith("Following «", StringComparison.Ordinal));
        Assert.Contains(Shown, followed.PlainText, StringComparison.Ordinal);
        Assert.Contains("Latest version: v2", followed.PlainText, StringComparison.Ordinal);
        Assert.Contains("Ada Dev", followed.PlainText, StringComparison.Ordinal);

        _api.EnqueueMessage(chat, "/following", languageCode: "en");
        var list = await First(chat, m => m.PlainText.StartsWith("Series this chat follows", StringComparison.Ordinal));
        Assert.Contains("v2 · not applied yet", list.PlainText, StringComparison.Ordinal);

        // v3 is posted (in a thread of its own, as a new version is): one notice with its changelog and size.
        _lore.Archive.Add("kvm", Message(Id("v3-0"), $"[PATCH v3 0/3] {Title}", Author, DateTimeOffset.UtcNow,
            body: "This frobnicates.\n\nChanges in v3:\n- dropped the spinlock\n\nChanges in v2:\n- first rework\n"));
        _lore.Archive.Add("kvm", Message(Id("v3-1"), $"[PATCH v3 1/3] {Title} part one", Author, DateTimeOffset.UtcNow, parent: Id("v3-0")));
        var v3 = await First(chat, m => m.PlainText.StartsWith("v3 of «", StringComparison.Ordinal));
        Assert.Contains($"v3 of «{Shown}» by Ada Dev", v3.PlainText, StringComparison.Ordinal);
        Assert.Contains("3 patches", v3.PlainText, StringComparison.Ordinal);
        Assert.Contains("dropped the spinlock", v3.PlainText, StringComparison.Ordinal);
        Assert.DoesNotContain("first rework", v3.PlainText, StringComparison.Ordinal);

        // A RESEND of v3 is not a new version; a maintainer's "Applied" reply to patch 1 of v3 is the applied signal.
        _lore.Archive.Add("kvm", Message(Id("v3r-0"), $"[PATCH RESEND v3 0/3] {Title}", Author, DateTimeOffset.UtcNow));
        _lore.Archive.Add("kvm", Message(Id("ty"), $"Re: [PATCH v3 1/3] {Title} part one", Maintainer, DateTimeOffset.UtcNow, parent: Id("v3-1"),
            body: "Applied to kvm/next, thanks!\n\n> A patch.\n"));
        var applied = await First(chat, m => m.PlainText.StartsWith("Applied: «", StringComparison.Ordinal));
        Assert.Contains("Paolo Maint: Applied to kvm/next, thanks!", applied.PlainText, StringComparison.Ordinal);

        // Polls go on re-reading the same day's messages: nothing more is sent.
        await SettleAsync(notices: 2);
        Assert.Equal(1, Count(chat, "v3 of «"));
        Assert.Equal(1, Count(chat, "Applied: «"));
        Assert.Equal(0, Count(chat, "RESEND"));

        _api.EnqueueMessage(chat, "/following", languageCode: "en");
        await First(chat, m => m.PlainText.StartsWith("Series this chat follows", StringComparison.Ordinal) && m.PlainText.Contains("v3 · applied ·", StringComparison.Ordinal));

        _api.EnqueueMessage(chat, "/unfollow 1", languageCode: "en");
        await First(chat, m => m.PlainText.StartsWith($"No longer following «{Shown}»", StringComparison.Ordinal));
        _api.EnqueueMessage(chat, "/following", languageCode: "en");
        await First(chat, m => m.PlainText.StartsWith("This chat follows no series", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_chats_following_one_series_share_the_polls_and_each_gets_its_notice_in_its_language()
    {
        const long en = 910_101, zh = 910_102;
        _api.EnqueueMessage(en, $"/follow <{Id("v2-0")}>", languageCode: "en");
        await First(en, m => m.PlainText.StartsWith("Following «", StringComparison.Ordinal));
        _api.EnqueueMessage(zh, $"/follow {Id("v2-2")}", languageCode: "zh-hans");
        await First(zh, m => m.PlainText.StartsWith("已关注《", StringComparison.Ordinal));

        _lore.Archive.Add("kvm", Message(Id("v3-0"), $"[PATCH v3 0/2] {Title}", Author, DateTimeOffset.UtcNow));
        await First(en, m => m.PlainText.StartsWith("v3 of «", StringComparison.Ordinal));
        await First(zh, m => m.PlainText.StartsWith($"《{Shown}》(Ada Dev)发布了 v3", StringComparison.Ordinal));
        await SettleAsync(notices: 2);

        // One search per inbox per poll, whatever the number of chats: every poll since the follows asked lore once
        // for its one inbox, and every search of that inbox is such a poll's.
        var polls = System.Text.RegularExpressions.Regex.Matches(_bot.Logs, @"Follow poll: (\d+) inboxes \(0 failed\), \d+ messages, \d+ notices, (\d+) lore requests")
            .Select(m => (Inboxes: int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Requests: int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))
            .ToList();
        Assert.Contains(polls, p => p.Inboxes == 1);
        Assert.All(polls, p => Assert.Equal(p.Inboxes, p.Requests));
        var searches = _lore.Requests.Count(r => r.PathAndQuery.StartsWith("/kvm/?q=d", StringComparison.Ordinal));
        Assert.InRange(searches, polls.Sum(p => p.Requests), polls.Sum(p => p.Requests) + 1); // one poll may be under way
    }

    [Fact]
    public async Task A_version_posted_while_the_bot_is_down_is_notified_once_after_restart()
    {
        const long chat = 910_401;
        _api.EnqueueMessage(chat, $"/follow {Id("v2-0")}", languageCode: "en");
        await First(chat, m => m.PlainText.StartsWith("Following «", StringComparison.Ordinal));
        await SettleAsync(notices: 0); // the bot has polled since: its position is stored

        var settings = new Dictionary<string, string>
        {
            ["Lore__BaseUrl"] = _lore.BaseUrl.ToString(),
            ["Lore__PollInterval"] = "00:00:01",
            ["Lore__MaxRequestsPerMinute"] = "6000",
            ["Lore__MaxRetries"] = "0",
            ["Follows__Inboxes__0"] = "kvm",
        };
        var data = _bot.DataDirectory;
        await _bot.StopAsync();
        _lore.Archive.Add("kvm", Message(Id("v3-0"), $"[PATCH v3 0/2] {Title}", Author, DateTimeOffset.UtcNow));
        _bot = await TelegramPollingTests.StartBotAsync(_api, data, settings);

        await First(chat, m => m.PlainText.StartsWith("v3 of «", StringComparison.Ordinal));
        await SettleAsync(notices: 1);
        Assert.Equal(1, Count(chat, "v3 of «"));
        Assert.Single(await Store.NoticesAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("member", false)]
    [InlineData("administrator", true)]
    public async Task In_a_group_only_administrators_may_follow_or_watch(string status, bool allowed)
    {
        var group = -(5_000_000L + Random.Shared.Next(1, 1_000_000));
        const long user = 78;
        _api.SetChatMember(group, user, status);
        _api.EnqueueMessage(group, $"/follow {Id("v2-0")}", chatType: "supergroup", fromId: user, languageCode: "en");
        _api.EnqueueMessage(group, "/watch s:Frobnicate", chatType: "supergroup", fromId: user, languageCode: "en");
        var address = new Core.Commands.ChatAddress(Core.Commands.Platform.Telegram, group.ToString(CultureInfo.InvariantCulture));
        if (allowed)
        {
            await First(group, m => m.PlainText.StartsWith("Following «", StringComparison.Ordinal));
            await First(group, m => m.PlainText.StartsWith("Watching «s:Frobnicate»", StringComparison.Ordinal));
        }
        else
        {
            await First(group, m => m.PlainText.StartsWith("Only this chat's administrators can change what it follows.", StringComparison.Ordinal));
            await First(group, m => m.PlainText.StartsWith("Only this chat's administrators can change what it watches.", StringComparison.Ordinal));
            Assert.Empty(await Store.ListAsync(address, CancellationToken.None));
            Assert.Empty(await _bot.Services.GetRequiredService<WatchStore>().ListAsync(address, CancellationToken.None));
        }
    }

    [Fact]
    public async Task A_chat_may_follow_at_most_the_configured_number_of_series_and_unknown_ids_are_refused()
    {
        const long chat = 910_201;
        var other = DateTimeOffset.UtcNow.AddHours(-2);
        _lore.Archive.Add("kvm", Message(Id("b-0"), "[PATCH 0/1] KVM: SVM: Second series", Author, other));
        _lore.Archive.Add("kvm", Message(Id("c-0"), "[PATCH] KVM: arm64: Third series", Author, other));
        _api.EnqueueMessage(chat, $"/follow {Id("v2-0")}", languageCode: "en");
        await First(chat, m => m.PlainText.StartsWith($"Following «{Shown}»", StringComparison.Ordinal));
        _api.EnqueueMessage(chat, $"/follow {Id("b-0")}", languageCode: "en");
        await First(chat, m => m.PlainText.StartsWith("Following «Second series»", StringComparison.Ordinal));
        _api.EnqueueMessage(chat, $"/follow {Id("c-0")}", languageCode: "en");
        await First(chat, m => m.PlainText.StartsWith("This chat follows 2 series, the most it may", StringComparison.Ordinal));
        _api.EnqueueMessage(chat, "/follow no-such-message@example.com", languageCode: "en");
        await First(chat, m => m.PlainText.StartsWith("lore has no patch series for no-such-message@example.com", StringComparison.Ordinal));
    }

    [Fact]
    public async Task While_lore_is_down_notices_wait_and_arrive_once_it_answers_again()
    {
        const long chat = 910_301;
        _api.EnqueueMessage(chat, $"/follow {Id("v2-0")}", languageCode: "en");
        await First(chat, m => m.PlainText.StartsWith("Following «", StringComparison.Ordinal));

        _lore.FailNext(503, times: 5, pathContains: "/kvm/?q=d");
        _lore.Archive.Add("kvm", Message(Id("v3-0"), $"[PATCH v3 0/2] {Title}", Author, DateTimeOffset.UtcNow));
        await _bot.WaitForLog("Follow poll of lore inbox kvm failed", Patience);
        var v3 = await First(chat, m => m.PlainText.StartsWith("v3 of «", StringComparison.Ordinal));
        Assert.Contains(Shown, v3.PlainText, StringComparison.Ordinal);
        Assert.Contains(_lore.Requests, r => r.Status == 503);
        await SettleAsync(notices: 1);
        Assert.Equal(1, Count(chat, "v3 of «"));
    }

    [Fact]
    public async Task A_patch_result_has_a_Follow_button_that_follows_its_series_in_a_message_of_its_own()
    {
        const long chat = 910_501;
        _api.EnqueueMessage(chat, "/patch Frobnicate", languageCode: "en");
        var results = await First(chat, m => m.PlainText.StartsWith("Search: Frobnicate", StringComparison.Ordinal));
        var follow = Assert.Single(results.Buttons, b => b.Text == "Follow 1");

        _api.EnqueueCallbackQuery(chat, results.MessageId, follow.CallbackData!, fromId: chat, languageCode: "en");
        var followed = await First(chat, m => m.PlainText.StartsWith($"Following «{Shown}»", StringComparison.Ordinal));
        Assert.Contains("Latest version: v2", followed.PlainText, StringComparison.Ordinal);
        Assert.DoesNotContain(_api.EditedMessages, e => e.ChatId == chat); // the results stay as they were
        _api.EnqueueMessage(chat, "/following", languageCode: "zh-hans");
        await First(chat, m => m.PlainText.StartsWith("本聊天关注的补丁系列", StringComparison.Ordinal) && m.PlainText.Contains(Shown, StringComparison.Ordinal));
    }

    [Fact]
    public async Task In_a_group_a_member_pressing_Follow_is_told_privately_and_nothing_is_followed()
    {
        var group = -(6_000_000L + Random.Shared.Next(1, 1_000_000));
        const long admin = 81, member = 82;
        _api.SetChat(group, "supergroup", "kvm folks");
        _api.SetChatMember(group, admin, "administrator");
        _api.SetChatMember(group, member, "member");
        _api.EnqueueMessage(group, "/patch Frobnicate", chatType: "supergroup", fromId: member, languageCode: "en");
        var results = await First(group, m => m.PlainText.StartsWith("Search: Frobnicate", StringComparison.Ordinal));
        var follow = results.Buttons.Single(b => b.Text == "Follow 1").CallbackData!;

        _api.EnqueueCallbackQuery(group, results.MessageId, follow, fromId: member, languageCode: "en");
        var refused = await _bot.Within(_api.WaitFor(a => a.CallbackAnswers.FirstOrDefault(c => c.ShowAlert), Patience));
        Assert.StartsWith("Only this chat's administrators can change what it follows.", refused.Text, StringComparison.Ordinal);
        Assert.Empty(await Store.ListAsync(new Core.Commands.ChatAddress(Core.Commands.Platform.Telegram, group.ToString(CultureInfo.InvariantCulture)), CancellationToken.None));

        _api.EnqueueCallbackQuery(group, results.MessageId, follow, fromId: admin, languageCode: "en");
        await First(group, m => m.PlainText.StartsWith($"Following «{Shown}»", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Follow_by_words_offers_the_series_that_fit_as_buttons()
    {
        const long chat = 910_601;
        _lore.Archive.Add("kvm", Message(Id("g-0"), "[PATCH 0/2] KVM: x86: Frobnicate the gadgets", "Bea Dev <bea@example.com>", DateTimeOffset.UtcNow.AddHours(-1)));
        _api.EnqueueMessage(chat, "/follow Frobnicate", languageCode: "en");
        var offer = await First(chat, m => m.PlainText.StartsWith("Several patch series fit «Frobnicate»", StringComparison.Ordinal));
        Assert.Contains(Shown, offer.PlainText, StringComparison.Ordinal); // from the 2020-08 report
        Assert.Contains("Frobnicate the gadgets", offer.PlainText, StringComparison.Ordinal); // from lore
        Assert.Equal(["1", "2"], offer.Buttons.Select(b => b.Text));

        // The gadgets are the second candidate, as numbered in the message.
        var lines = offer.PlainText.Split('\n');
        var gadgets = Array.FindIndex(lines, l => l.Contains("Frobnicate the gadgets", StringComparison.Ordinal));
        var number = lines[gadgets].TrimStart()[..1];
        _api.EnqueueCallbackQuery(chat, offer.MessageId, offer.Buttons.Single(b => b.Text == number).CallbackData!, fromId: chat, languageCode: "en");
        await First(chat, m => m.PlainText.StartsWith("Following «Frobnicate the gadgets»", StringComparison.Ordinal));

        // Words only one series fits: followed at once.
        _api.EnqueueMessage(chat, "/follow gadgets", languageCode: "en");
        await First(chat, m => m.PlainText.StartsWith("Following «Frobnicate the gadgets»", StringComparison.Ordinal) && m.PlainText.Contains("already follows", StringComparison.Ordinal));
        _api.EnqueueMessage(chat, "/follow zyzzyva quux", languageCode: "en");
        await First(chat, m => m.PlainText.StartsWith("No patch series fits «zyzzyva quux»", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_watch_gets_the_new_series_its_query_matches_in_one_message_per_poll()
    {
        const long chat = 910_701;
        _api.EnqueueMessage(chat, "/watch s:Frobnicate", languageCode: "en");
        var watching = await First(chat, m => m.PlainText.StartsWith("Watching «s:Frobnicate» on lore (kvm)", StringComparison.Ordinal));
        Assert.Contains("about 0.4 messages a day", watching.PlainText, StringComparison.Ordinal); // v2's three, over a week

        // Posted in one go: a new series with its cover letter and patch, a patch standing alone, a reply, and a
        // series the query does not match. The poll sees them together: one message with the two new series.
        var now = DateTimeOffset.UtcNow;
        _lore.Archive.Add("kvm", Message(Id("n-0"), "[PATCH 0/1] KVM: x86: Frobnicate the sprockets", "Cy Dev <cy@example.com>", now));
        _lore.Archive.Add("kvm", Message(Id("n-1"), "[PATCH 1/1] KVM: x86: Frobnicate the sprockets", "Cy Dev <cy@example.com>", now, parent: Id("n-0")));
        _lore.Archive.Add("kvm", Message(Id("s-0"), "[PATCH v4] KVM: arm64: Frobnicate one flange", "Di Dev <di@example.com>", now));
        _lore.Archive.Add("kvm", Message(Id("r-0"), "Re: [PATCH 0/1] KVM: x86: Frobnicate the sprockets", Maintainer, now, parent: Id("n-0")));
        _lore.Archive.Add("kvm", Message(Id("o-0"), "[PATCH 0/3] KVM: x86: Tidy the doodads", "Cy Dev <cy@example.com>", now));
        var batch = await First(chat, m => m.PlainText.Contains("new patch series match «s:Frobnicate»", StringComparison.Ordinal));
        Assert.StartsWith("2 new patch series match «s:Frobnicate»", batch.PlainText, StringComparison.Ordinal);
        Assert.Contains("Frobnicate the sprockets", batch.PlainText, StringComparison.Ordinal);
        Assert.Contains("Frobnicate one flange", batch.PlainText, StringComparison.Ordinal);
        Assert.Contains("Di Dev · v4", batch.PlainText, StringComparison.Ordinal);
        Assert.DoesNotContain("doodads", batch.PlainText, StringComparison.Ordinal);
        Assert.DoesNotContain(Shown, batch.PlainText, StringComparison.Ordinal); // v2 was there before the watch

        await SettleAsync(notices: 0);
        Assert.Equal(1, Count(chat, "new patch series match"));

        _api.EnqueueMessage(chat, "/watches", languageCode: "en");
        await First(chat, m => m.PlainText.StartsWith("Lore queries this chat watches", StringComparison.Ordinal) && m.PlainText.Contains("s:Frobnicate", StringComparison.Ordinal));
        _api.EnqueueMessage(chat, "/unwatch 1", languageCode: "en");
        await First(chat, m => m.PlainText.StartsWith("No longer watching «s:Frobnicate»", StringComparison.Ordinal));
        var owed = (await Store.NoticesAsync(CancellationToken.None)).Count;
        _lore.Archive.Add("kvm", Message(Id("n2-0"), "[PATCH] KVM: x86: Frobnicate again", "Cy Dev <cy@example.com>", DateTimeOffset.UtcNow));
        await SettleAsync(notices: 0);
        Assert.Equal(owed, (await Store.NoticesAsync(CancellationToken.None)).Count); // nothing owed, not merely not sent yet
        Assert.Equal(1, Count(chat, "new patch series match"));
    }

    [Fact]
    public async Task A_watch_lore_refuses_a_query_too_broad_or_one_too_many_is_refused_with_the_reason()
    {
        const long chat = 910_801;
        // A date lore cannot read is lore's to refuse; an unclosed quote is refused before lore is asked.
        _api.EnqueueMessage(chat, "/watch s:widgets d:20251345..", languageCode: "en");
        await First(chat, m => m.PlainText.StartsWith("lore refuses this query: 400", StringComparison.Ordinal));
        _api.EnqueueMessage(chat, "/watch s:\"io_uring", languageCode: "en");
        await First(chat, m => m.PlainText.StartsWith("This query has a quote or a bracket that is not closed.", StringComparison.Ordinal));
        Assert.DoesNotContain(_lore.Requests, r => r.PathAndQuery.Contains("io_uring", StringComparison.Ordinal));

        // At most one message a day (this test's setting) over a week is seven: eight in the week is too broad.
        for (var i = 0; i < 8; i++)
            _lore.Archive.Add("kvm", Message(Id("noise-" + i), $"[PATCH] KVM: Noisy change {i}", "Ed Dev <ed@example.com>", DateTimeOffset.UtcNow.AddDays(-i % 6)));
        _api.EnqueueMessage(chat, "/watch s:Noisy", languageCode: "en");
        await First(chat, m => m.PlainText.StartsWith("This query matched more than 1 message a day over the last week, the most a watch may.", StringComparison.Ordinal));

        _api.EnqueueMessage(chat, "/watch f:ada", languageCode: "en");
        await First(chat, m => m.PlainText.StartsWith("Watching «f:ada»", StringComparison.Ordinal));
        _api.EnqueueMessage(chat, "/watch f:bea", languageCode: "en");
        await First(chat, m => m.PlainText.StartsWith("Watching «f:bea»", StringComparison.Ordinal));
        _api.EnqueueMessage(chat, "/watch f:cy", languageCode: "en");
        await First(chat, m => m.PlainText.StartsWith("This chat watches 2 queries, the most it may", StringComparison.Ordinal));
        _api.EnqueueMessage(chat, "/watches", languageCode: "zh-hans");
        await First(chat, m => m.PlainText.StartsWith("本聊天的 lore 查询订阅", StringComparison.Ordinal) && m.PlainText.Contains("f:bea", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_followed_series_in_a_newly_published_month_is_told_once_with_its_entry()
    {
        const long chat = 910_901;
        _api.EnqueueMessage(chat, $"/follow {Id("v2-0")}", languageCode: "en");
        await First(chat, m => m.PlainText.StartsWith("Following «", StringComparison.Ordinal));

        // 2020-08 was there before: it is not news. A new month links to patch 2 of v2: that is the series.
        File.WriteAllText(Path.Combine(_reports, "2020-10.md"), Report("2020-10", "Widgets, frobnicated", $"https://lore.kernel.org/kvm/{Id("v2-2")}/"));
        // Reloaded here rather than waiting on the folder's watcher: inotify instances are few on a shared machine,
        // and what is tested is the notice, not the watcher (which has tests of its own).
        var library = _bot.Services.GetRequiredService<Core.Reports.ReportLibrary>();
        library.Reload();
        var told = await First(chat, m => m.PlainText.StartsWith($"«{Shown}» is in the 2020-10 report", StringComparison.Ordinal));
        Assert.Contains("Widgets, frobnicated", told.PlainText, StringComparison.Ordinal);
        Assert.Contains("Ada Dev · 2020-10", told.PlainText, StringComparison.Ordinal);

        // The file saved again: still once.
        File.AppendAllText(Path.Combine(_reports, "2020-10.md"), "\nMore words.\n");
        library.Reload();
        await SettleAsync(notices: 1);
        Assert.Equal(1, Count(chat, "is in the 2020-10 report"));
        Assert.Equal(0, Count(chat, "is in the 2020-08 report"));
    }
}
