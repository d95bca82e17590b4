using System.Diagnostics;
using System.Globalization;
using KernelDigest.Bot.Follows;
using KernelDigest.Bot.Lore;
using KernelDigest.Bot.Storage;
using KernelDigest.Bot.Subscriptions;
using KernelDigest.Bot.Tests.LoreDouble;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Lore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KernelDigest.Load;

/// <summary>
/// The follow and watch poller at scale: <c>follows</c> follows of <c>follows/5</c> series spread over 20 inboxes,
/// <c>watches</c> watches of <c>watches/5</c> distinct queries, across 2,000 chats, in a SQLite file. Each poll is
/// half an hour of a step clock; before it, lore (the double, in this process) gets new versions, "applied" replies,
/// ordinary replies and watch-matching patches. Prints per poll the lore requests, wall time and CPU time (both
/// include the double answering, so they bound the bot's share from above), and managed heap and RSS along the run.
/// </summary>
internal static class FollowsLoad
{
    private const int Inboxes = 20;
    private const int Chats = 2_000;
    private const string Email = "dev@load.example";

    private sealed class StepClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    public static async Task<int> RunAsync(int follows, int watches, int polls)
    {
        var series = follows / 5;
        var queries = watches / 5;
        var clock = new StepClock(new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero));
        var archive = new LoreArchive();
        for (var i = 0; i < Inboxes; i++)
            archive.AddInbox(Inbox(i));
        var serial = 0;
        string Add(string inbox, string subject, string? parent = null, string body = "A patch.\n")
        {
            var id = $"m{++serial}@load.example";
            archive.Add(inbox, $"From: Dev {serial % 97} <{Email}>\nTo: {inbox}@vger.kernel.org\nSubject: {subject}\n"
                + $"Date: {clock.Now.ToString("r", CultureInfo.InvariantCulture)}\nMessage-ID: <{id}>\n"
                + (parent is null ? "" : $"In-Reply-To: <{parent}>\nReferences: <{parent}>\n")
                + $"Content-Type: text/plain; charset=utf-8\n\n{body}");
            return id;
        }

        await using var lore = await FakeLore.StartAsync(archive);
        var work = Directory.CreateTempSubdirectory("kd-followsload-").FullName;
        await using var db = new Database(new StorageOptions { DataDirectory = work });
        await db.MigrateAsync(CancellationToken.None);
        var followStore = new FollowStore(db, clock);
        var watchStore = new WatchStore(db, clock);
        var followOptions = Options.Create(new FollowOptions { MaxPerChat = 50, MaxWatchesPerChat = 10 });
        using var followLore = new FollowLore(Options.Create(new LoreOptions { BaseUrl = lore.BaseUrl.ToString(), MaxRequestsPerMinute = 600_000, MaxRetries = 0 }),
            followOptions, clock, NullLogger<LoreClient>.Instance);
        using var signal = new DeliverySignal();
        var followPoller = new FollowPoller(followStore, followLore, signal, followOptions, clock, NullLogger<FollowPoller>.Instance);
        var watchPoller = new WatchPoller(watchStore, followLore, signal, followOptions, clock, NullLogger<WatchPoller>.Instance);

        // Seed: each series' v1 cover letter two days back, five chats following each; five chats watching each query.
        var seeding = Stopwatch.StartNew();
        var latest = new string[series];
        var revision = new int[series];
        clock.Now -= TimeSpan.FromDays(2);
        for (var s = 0; s < series; s++)
        {
            latest[s] = Add(Inbox(s), $"[PATCH 0/3] load: Widget series {s}");
            revision[s] = 1;
            var tracked = new TrackedSeries
            {
                Inbox = Inbox(s), SeriesKey = Key(s), SubjectKey = Key(s), Title = $"Widget series {s}", AuthorName = "Dev", AuthorEmail = Email,
                LatestRevision = 1, LatestLabel = "v1", LatestMessageId = latest[s], LatestUrl = $"{lore.BaseUrl}{Inbox(s)}/{latest[s]}/",
                LatestAt = Database.Stamp(clock.Now), Patches = 3, LastActivity = Database.Stamp(clock.Now),
            };
            var id = await followStore.UpsertSeriesAsync(tracked, [latest[s]], CancellationToken.None);
            for (var k = 0; k < 5; k++)
                await followStore.FollowAsync(new ChatAddress(Platform.Telegram, ((s * 5 + k) % Chats).ToString(CultureInfo.InvariantCulture)), "en", id, null, 50, CancellationToken.None);
        }
        clock.Now += TimeSpan.FromDays(2);
        for (var i = 0; i < Inboxes; i++)
            await followStore.StartCursorAsync(Inbox(i), clock.Now, CancellationToken.None);
        for (var q = 0; q < queries; q++)
        {
            for (var k = 0; k < 5; k++)
                await watchStore.AddAsync(new ChatAddress(Platform.Telegram, ((q * 5 + k) % Chats).ToString(CultureInfo.InvariantCulture)), "en",
                    new WatchedQuery(Inbox(q), $"s:topic{q}x"), null, 10, [], CancellationToken.None);
        }
        Console.WriteLine($"follows load: {follows} follows of {series} series and {watches} watches of {queries} queries, {Chats} chats, {Inboxes} inboxes; "
            + $"seeded in {seeding.Elapsed.TotalSeconds:0.0} s; {polls} polls, each half an hour of the step clock");
        Console.WriteLine("poll\tlore requests\twall ms\tcpu ms\tmessages read\tnotices owed\theap MB\tof it the double's archive MB\tRSS MB");

        var random = new Random(11);
        var rows = new List<(int Requests, double Wall, double Cpu, int Notices)>();
        var me = Process.GetCurrentProcess();
        for (var poll = 1; poll <= polls; poll++)
        {
            clock.Now += TimeSpan.FromMinutes(30);
            // Half an hour of lists: 20 new versions, 10 "applied" replies, 30 review replies, 10 patches for watches.
            for (var i = 0; i < 20; i++)
            {
                var s = random.Next(series);
                revision[s]++;
                latest[s] = Add(Inbox(s), $"[PATCH v{revision[s]} 0/3] load: Widget series {s}", body: $"Changes in v{revision[s]}:\n- more widgets\n");
            }
            for (var i = 0; i < 10; i++)
            {
                var s = random.Next(series);
                Add(Inbox(s), $"Re: [PATCH v{revision[s]} 0/3] load: Widget series {s}", latest[s], "Applied to load/for-next, thanks!\n");
            }
            for (var i = 0; i < 30; i++)
            {
                var s = random.Next(series);
                Add(Inbox(s), $"Re: [PATCH v{revision[s]} 0/3] load: Widget series {s}", latest[s], "> A patch.\nLooks fine.\n");
            }
            for (var i = 0; i < 10; i++)
            {
                var q = random.Next(queries);
                Add(Inbox(q), $"[PATCH] load: topic{q}x gets a fix {poll}-{i}");
            }

            lore.ClearRequests();
            var cpu = me.TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            var f = await followPoller.PollAsync(CancellationToken.None);
            var w = await watchPoller.PollAsync(CancellationToken.None);
            wall.Stop();
            me.Refresh();
            var cpuMs = (me.TotalProcessorTime - cpu).TotalMilliseconds;
            var requests = f.Requests + w.Requests;
            rows.Add((requests, wall.Elapsed.TotalMilliseconds, cpuMs, f.Notices + w.Notices));
            if (f.Failed + w.Failed > 0)
                throw new InvalidOperationException($"poll {poll}: {f.Failed + w.Failed} failed");
            if (poll is 1 or 10 or 25 or 50 or 75 or 100 || poll == polls)
            {
                var heap = GC.GetTotalMemory(forceFullCollection: true) / 1048576.0;
                // The double keeps every message (text and parsed copy) in this process: its share of the heap grows
                // with the run, the bot's should not.
                var kept = archive.Inboxes.Sum(i => archive.In(i).Sum(m => (long)(m.Raw.Length + m.Body.Length + m.Subject.Length) * 2 + 400)) / 1048576.0;
                Console.WriteLine($"{poll}\t{requests}\t{wall.Elapsed.TotalMilliseconds:0}\t{cpuMs:0}\t{f.Messages + w.Messages}\t{f.Notices + w.Notices}\t{heap:0.0}\t{kept:0.0}\t{me.WorkingSet64 / 1048576.0:0}");
            }
        }
        double Median(IEnumerable<double> xs) { var a = xs.Order().ToArray(); return a[a.Length / 2]; }
        double Max(IEnumerable<double> xs) => xs.Max();
        Console.WriteLine($"median: {Median(rows.Select(r => (double)r.Requests)):0} lore requests (max {Max(rows.Select(r => (double)r.Requests)):0}; "
            + $"{Inboxes} followed inboxes + {queries} watched queries), wall {Median(rows.Select(r => r.Wall)):0} ms (max {Max(rows.Select(r => r.Wall)):0}), "
            + $"cpu {Median(rows.Select(r => r.Cpu)):0} ms (max {Max(rows.Select(r => r.Cpu)):0}); notices owed in all: {rows.Sum(r => r.Notices)}");
        Directory.Delete(work, recursive: true);
        return 0;
    }

    private static string Inbox(int n) => "list" + (n % Inboxes).ToString(CultureInfo.InvariantCulture);

    private static string Key(int s) => "subj:" + PatchSubject.Parse($"[PATCH 0/3] load: Widget series {s}").Normalized + "|" + Email;
}
