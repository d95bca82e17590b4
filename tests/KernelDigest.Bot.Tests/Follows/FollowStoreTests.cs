using KernelDigest.Bot.Follows;
using KernelDigest.Bot.Storage;
using KernelDigest.Bot.Subscriptions;
using KernelDigest.Bot.Tests.Subscriptions;
using KernelDigest.Core.Commands;

namespace KernelDigest.Bot.Tests.Follows;

/// <summary>
/// The follow and watch stores on both databases: what a poll owes is owed once however often it is applied again,
/// the outbox hands each notice to the chat it is for, and a paused chat's notices wait.
/// </summary>
public sealed class FollowStoreTests
{
    private static readonly ChatAddress Group = new(Platform.Telegram, "-1001");
    private static readonly ChatAddress Channel = new(Platform.Discord, "5300", null);

    [SkippableTheory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Notices_of_follows_watches_and_reports_are_owed_once_and_claimed_for_their_chats(string provider)
    {
        var options = provider == "postgres" ? await TestDatabases.PostgresAsync() : TestDatabases.Sqlite();
        await using var db = new Database(options);
        await db.MigrateAsync(CancellationToken.None);
        var time = TimeProvider.System;
        var follows = new FollowStore(db, time);
        var watches = new WatchStore(db, time);
        var outbox = new SubscriptionStore(db, time);

        var seriesId = await follows.UpsertSeriesAsync(new TrackedSeries
        {
            Inbox = "kvm", SeriesKey = "subj:frob|a@x", SubjectKey = "subj:frob|a@x", Title = "Frob", AuthorName = "A", AuthorEmail = "a@x",
            LatestRevision = 1, LatestLabel = "v1", LatestMessageId = "v1@x", LatestUrl = "https://lore/kvm/v1@x/", LatestAt = "2026-11-01T00:00:00.000Z",
            LastActivity = "2026-11-01T00:00:00.000Z",
        }, ["v1@x", "v1-1@x"], CancellationToken.None);
        Assert.NotNull(await follows.FollowAsync(Group, "en", seriesId, "7", 50, CancellationToken.None));

        // A new version, applied twice (a re-read overlap): one notice.
        var findings = new PollFindings();
        findings.Versions.Add(new VersionEvent(seriesId, 2, "v2", "v2@x", "https://lore/kvm/v2@x/", DateTimeOffset.UtcNow, 3,
            new FollowNotice { Kind = NoticeKind.Version, Title = "Frob", Author = "A", Label = "v2", Url = "https://lore/kvm/v2@x/" }));
        findings.Messages.Add((seriesId, "v2@x"));
        Assert.Equal(1, await follows.ApplyPollAsync("kvm", findings, DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.Equal(0, await follows.ApplyPollAsync("kvm", findings, DateTimeOffset.UtcNow, CancellationToken.None));

        // A watch: what lore showed at /watch is the baseline; of a poll seeing it and a new root, one batch of one.
        var query = new WatchedQuery("kvm", "s:frob");
        Assert.NotNull(await watches.AddAsync(Channel, "zh", query, "9", 10, ["old@x"], CancellationToken.None));
        var matches = new[] { Match("old@x"), Match("new@x") };
        Assert.Equal(1, await watches.ApplyPollAsync(query, matches, ["old@x", "new@x", "reply@x"], DateTimeOffset.UtcNow, TimeSpan.FromDays(3), CancellationToken.None));
        Assert.Equal(0, await watches.ApplyPollAsync(query, matches, ["old@x", "new@x"], DateTimeOffset.UtcNow, TimeSpan.FromDays(3), CancellationToken.None));

        // A month with an entry for the series: once, however often the month is looked at.
        var report = new FollowNotice { Kind = NoticeKind.Report, Title = "Frob", Author = "A", Label = "2026-11", Url = "https://x/", Month = "2026-11" };
        var (byMessage, _) = await follows.FollowedForReportAsync(["v1-1@x", "unrelated@x"], CancellationToken.None);
        Assert.Equal(seriesId, Assert.Single(byMessage).Value);
        Assert.Equal(1, await follows.OweReportAsync("2026-11", [(seriesId, report)], CancellationToken.None));
        Assert.Equal(0, await follows.OweReportAsync("2026-11", [(seriesId, report)], CancellationToken.None));
        Assert.Contains("2026-11", await follows.ReportsCheckedAsync(CancellationToken.None));

        // The watch's chat is paused (the bot was removed): only the follow's two notices can be claimed.
        await follows.PauseChatAsync(Channel.Platform, Channel.ChatId, null, "kicked", CancellationToken.None);
        var claimed = await outbox.ClaimAsync("test", 10, TimeSpan.FromMinutes(2), CancellationToken.None);
        Assert.Equal(2, claimed.Count);
        Assert.All(claimed, c => Assert.Equal(Group, c.Subscription.Address));
        Assert.Contains(claimed, c => FollowNotice.FromJson(c.Delivery.Payload)!.Kind == NoticeKind.Version);
        Assert.Contains(claimed, c => FollowNotice.FromJson(c.Delivery.Payload)!.Kind == NoticeKind.Report);

        // Watched again: the watch's batch is claimed for the Discord channel, in its language, with the new root only.
        Assert.True((await watches.AddAsync(Channel, "zh", query, "9", 10, [], CancellationToken.None))!.Value.Created);
        var batch = Assert.Single(await outbox.ClaimAsync("test", 10, TimeSpan.FromMinutes(2), CancellationToken.None));
        Assert.Equal(Channel, batch.Subscription.Address);
        Assert.Equal("zh", batch.Subscription.Lang);
        Assert.Equal(["new@x title"], FollowNotice.FromJson(batch.Delivery.Payload)!.Matches.Select(m => m.Title));
    }

    [SkippableTheory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_chat_joining_a_watched_query_or_watching_it_again_is_never_sent_what_was_there_before(string provider)
    {
        var options = provider == "postgres" ? await TestDatabases.PostgresAsync() : TestDatabases.Sqlite();
        await using var db = new Database(options);
        await db.MigrateAsync(CancellationToken.None);
        var watches = new WatchStore(db, TimeProvider.System);
        var query = new WatchedQuery("kvm", "s:frob");
        var first = new ChatAddress(Platform.Telegram, "1");
        var second = new ChatAddress(Platform.Telegram, "2");
        var forget = TimeSpan.FromDays(3);

        await watches.AddAsync(first, "en", query, null, 10, ["a@x"], CancellationToken.None);
        // b arrives on lore; before the next poll a second chat watches the query and its /watch saw b.
        await watches.AddAsync(second, "en", query, null, 10, ["a@x", "b@x"], CancellationToken.None);
        Assert.Equal(1, await watches.ApplyPollAsync(query, [Match("a@x"), Match("b@x")], ["a@x", "b@x"], DateTimeOffset.UtcNow, forget, CancellationToken.None));
        // c comes after both: both are told.
        Assert.Equal(2, await watches.ApplyPollAsync(query, [Match("b@x"), Match("c@x")], ["b@x", "c@x"], DateTimeOffset.UtcNow, forget, CancellationToken.None));
        var outbox = new SubscriptionStore(db, TimeProvider.System);
        var claimed = await outbox.ClaimAsync("test", 10, TimeSpan.FromMinutes(2), CancellationToken.None);
        var told = claimed.Select(c => (c.Subscription.ChatId, string.Join(",", FollowNotice.FromJson(c.Delivery.Payload)!.Matches.Select(m => m.Title)))).Order().ToList();
        Assert.Equal([("1", "b@x title"), ("1", "c@x title"), ("2", "c@x title")], told);

        // Both leave; the query is not polled; a month later one watches it again: its position starts then.
        var stale = DateTimeOffset.UtcNow - TimeSpan.FromDays(30);
        await watches.ApplyPollAsync(query, [], [], stale, forget, CancellationToken.None);
        foreach (var w in (await watches.ListAsync(first, CancellationToken.None)).Concat(await watches.ListAsync(second, CancellationToken.None)))
            await watches.RemoveAsync(w.Id, CancellationToken.None);
        Assert.Empty(await watches.ActiveQueriesAsync(CancellationToken.None));
        await watches.AddAsync(first, "en", query, null, 10, ["d@x"], CancellationToken.None);
        Assert.True(await watches.CursorAsync(query, CancellationToken.None) > DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1));
        Assert.Equal(0, await watches.ApplyPollAsync(query, [Match("d@x")], ["d@x"], DateTimeOffset.UtcNow, forget, CancellationToken.None));

    }

    private static WatchMatch Match(string id) => new(id, new NoticeSeries(id + " title", "A", "v1", 1, "https://lore/kvm/" + id + "/"));
}
