using System.Collections.Concurrent;
using System.Diagnostics;
using KernelDigest.Bot.Conversation;
using KernelDigest.Bot.Subscriptions;
using KernelDigest.Bot.Tests;
using KernelDigest.Bot.Tests.Subscriptions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Quartz;

namespace KernelDigest.Faults.Time;

/// <summary>
/// Issue 16 §3.7, time: the digest schedule as the app wires it (AddSubscriptions: Quartz's hosted scheduler, the cron
/// trigger in Digest:TimeZone with its misfire rule, the digest job) running on a fake clock, so a year of Berlin's
/// daylight-saving changes and a host suspended across its run take seconds. What is counted is what Quartz ran.
/// </summary>
public sealed class ScheduleTimeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ConcurrentQueue<(DateTimeOffset Scheduled, DateTimeOffset Fired)> _runs = new();
    private WebApplication _app = null!;

    public async Task InitializeAsync()
    {
        var storage = TestDatabases.Sqlite();
        var builder = SubscriptionsHarness.CreateBuilder(storage, Path.Combine(BotProcess.RepoRoot, "config", "reports"), new Dictionary<string, string?>
        {
            // 02:30 on the last Sunday of every month: in 2026 that is inside the hour skipped on 29 March and inside
            // the hour repeated on 25 October.
            ["Digest:Cron"] = "0 30 2 ? * 1L",
            ["Digest:TimeZone"] = "Europe/Berlin",
        }, _time);
        builder.AddSubscriptions();
        builder.AddConversation(); // the digest renders through the report commands
        _app = builder.Build();
        await _app.StartAsync();
        var scheduler = await _app.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        scheduler.ListenerManager.AddJobListener(new Recorder(_runs));
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_year_of_Berlin_daylight_saving_gives_exactly_one_run_each_month()
    {
        // The clock jumps to a second after each run the trigger has next, as a running host would reach it.
        var end = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);
        while (await NextRunAsync() is { } next && next < end)
            await RunAtAsync(next + TimeSpan.FromSeconds(1));

        var months = _runs.GroupBy(r => LocalMonth(r.Scheduled)).ToDictionary(g => g.Key, g => g.Count());
        var march = _runs.Single(r => LocalMonth(r.Scheduled) == "2026-03");
        var october = _runs.Where(r => LocalMonth(r.Scheduled) == "2026-10").ToList();
        Figures.Print(output, "time-dst",
            $"Europe/Berlin, cron 02:30 on the last Sunday, 2026: {_runs.Count} runs in {months.Count} months, at most {months.Values.Max()} a month; " +
            $"29 Mar (02:00–03:00 skipped) ran at {Local(march.Scheduled)}, 25 Oct (02:00–03:00 twice) ran {october.Count}× at {string.Join(", ", october.Select(r => Local(r.Scheduled)))}");
        Assert.Equal(12, months.Count);
        Assert.All(months.Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task A_host_suspended_across_its_run_runs_it_once_on_resume()
    {
        var january = await NextRunAsync() ?? throw new InvalidOperationException("no run scheduled");
        await RunAtAsync(january + TimeSpan.FromSeconds(1));
        var february = await NextRunAsync() ?? throw new InvalidOperationException("no run scheduled");

        // Suspended from a minute before February's run until three hours after it (well past Quartz's misfire
        // threshold of a minute): on resume the missed run runs once, at once.
        _time.SetUtcNow(february - TimeSpan.FromMinutes(1));
        var resumed = february + TimeSpan.FromHours(3);
        await RunAtAsync(resumed);
        var missed = _runs.Last();

        // Suspended across two runs (March and April): still one run on resume, not one per missed run.
        var march = await NextRunAsync() ?? throw new InvalidOperationException("no run scheduled");
        var longResume = march + TimeSpan.FromDays(35);
        await RunAtAsync(longResume);
        var afterLong = _runs.Last();
        var next = await NextRunAsync();

        Figures.Print(output, "time-misfire",
            $"suspended 3 h across the {Local(february)} run: ran once, {(missed.Fired - missed.Scheduled).TotalHours:0.#} h late on resume; " +
            $"suspended 35 days across 2 runs: {_runs.Count(r => r.Fired == longResume)} run on resume, next at {Local(next!.Value)}; {_runs.Count} runs in all");
        Assert.Equal(3, _runs.Count); // January on time, February once on resume, March and April once on resume
        Assert.Equal((february, resumed), missed);
        Assert.Equal(longResume, afterLong.Fired);
        Assert.True(next > longResume, $"the next run ({next:u}) is not after the resume ({longResume:u})");
    }

    /// <summary>When the digest trigger fires next, as Quartz holds it.</summary>
    private async Task<DateTimeOffset?> NextRunAsync()
    {
        var scheduler = await _app.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var trigger = await scheduler.GetTrigger(new TriggerKey("monthly-digest-trigger", "kerneldigest"));
        return trigger?.NextFireTimeUtc;
    }

    /// <summary>Sets the clock to <paramref name="at"/> and waits until Quartz has run the job once more and moved on.</summary>
    private async Task RunAtAsync(DateTimeOffset at)
    {
        var before = _runs.Count;
        var scheduled = await NextRunAsync();
        _time.SetUtcNow(at);
        var clock = Stopwatch.StartNew();
        while (_runs.Count == before || await NextRunAsync() == scheduled)
        {
            Assert.True(clock.Elapsed < Patience, $"Quartz did not run the job at {at:u} (next run {scheduled:u}, {_runs.Count} runs so far)");
            await Task.Delay(20);
        }
    }

    private static string LocalMonth(DateTimeOffset t) => TimeZoneInfo.ConvertTime(t, Berlin).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    private static string Local(DateTimeOffset t) => TimeZoneInfo.ConvertTime(t, Berlin).ToString("d MMM HH:mm zzz", System.Globalization.CultureInfo.InvariantCulture);

    private sealed class Recorder(ConcurrentQueue<(DateTimeOffset, DateTimeOffset)> runs) : IJobListener
    {
        public string Name => "fault-suite-recorder";

        public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default) => default;

        public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => default;

        public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
        {
            runs.Enqueue((context.ScheduledFireTimeUtc ?? context.FireTimeUtc, context.FireTimeUtc));
            return default;
        }
    }
}
