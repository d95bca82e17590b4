using System.Globalization;
using KernelDigest.Bot.Subscriptions;
using KernelDigest.Core.Reports;
using Microsoft.Extensions.Options;
using Quartz;

namespace KernelDigest.Bot.Drafts;

/// <summary>
/// Sends a month published after its scheduled digest day at once (<c>Digest:SendOnPublish</c>, default on): on every
/// reload, each served report whose <c>published:</c> time is newer than the last one seen and later than its month's
/// digest run is owed to all subscriptions through the planner (idempotent: one outbox row per subscription and
/// month). The last publication time seen is kept in the store, so a month published while the bot was down is sent
/// when it starts, and a restart sends nothing twice. A month published before its digest day waits for the run.
/// </summary>
internal sealed partial class SendOnPublish(
    ReportLibrary library,
    DigestPlanner planner,
    SubscriptionStore store,
    IOptions<DigestOptions> options,
    ILogger<SendOnPublish> logger) : BackgroundService
{
    public const string SeenKey = "digest.published_seen";

    private bool _announced;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.SendOnPublish)
            return;
        var reloads = System.Threading.Channels.Channel.CreateBounded<LibrarySnapshot>(new System.Threading.Channels.BoundedChannelOptions(1)
        {
            FullMode = System.Threading.Channels.BoundedChannelFullMode.DropOldest, // only the newest snapshot matters
        });
        library.Reloaded += snapshot => reloads.Writer.TryWrite(snapshot);
        reloads.Writer.TryWrite(library.Current);
        await foreach (var snapshot in reloads.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await CheckAsync(snapshot, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(ex); // the store was unreachable: the next reload (or restart) tries again
            }
        }
    }

    internal async Task CheckAsync(LibrarySnapshot snapshot, CancellationToken ct)
    {
        var text = await store.GetStateAsync(SeenKey, ct);
        var published = snapshot.Reports.Where(r => r.Published is not null).ToList();
        var newest = published.Count > 0 ? published.Max(r => r.Published!.Value) : DateTimeOffset.MinValue;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var seen))
        {
            // First start with this feature: what is already published is history, not news.
            await store.SetStateAsync(SeenKey, SubscriptionStore.Stamp(newest), ct);
            LogWatching(newest);
            return;
        }
        if (!_announced)
            LogWatching(seen);
        _announced = true;
        foreach (var report in published.Where(r => r.Published > seen).OrderBy(r => r.Month))
        {
            if (DigestDay(report.Month) is { } day && report.Published > day)
            {
                LogSending(report.Month.ToString(), report.Published!.Value, day);
                await planner.PlanAsync(report.Month, ct);
            }
        }
        if (newest > seen)
            await store.SetStateAsync(SeenKey, SubscriptionStore.Stamp(newest), ct);
    }

    /// <summary>The month's scheduled digest run: the first cron time after the month ends.</summary>
    private DateTimeOffset? DigestDay(ReportMonth month)
    {
        var end = new DateTimeOffset(month.Year, month.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
        var cron = new CronExpression(options.Value.Cron, options.Value.FindZone());
        return cron.GetNextValidTimeAfter(end.AddSeconds(-1));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Month} was published at {Published}, after its digest run of {DigestDay}: sending it to subscriptions that lack it")]
    private partial void LogSending(string month, DateTimeOffset published, DateTimeOffset digestDay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Months published from now on after their digest day are sent at once (last publication seen: {Seen})")]
    private partial void LogWatching(DateTimeOffset seen);

    [LoggerMessage(Level = LogLevel.Error, Message = "Checking for newly published months failed")]
    private partial void LogFailed(Exception ex);
}

public static class DraftsSetup
{
    /// <summary>The editors' workflow in the running bot: a month published after its digest day is sent at once.</summary>
    public static IHostApplicationBuilder AddDrafts(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<SendOnPublish>();
        return builder;
    }
}
