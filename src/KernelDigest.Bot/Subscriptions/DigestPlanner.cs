using KernelDigest.Core.Reports;

namespace KernelDigest.Bot.Subscriptions;

/// <summary>
/// Decides what is owed and wakes the dispatcher: the scheduled run (Quartz), a missed run at start, a new report
/// (with <c>Digest:PostOnNewReport</c>), and /subscribe. Recording what is owed is idempotent (one row per
/// subscription and month), so two instances or two triggers never owe a month twice.
/// </summary>
public sealed partial class DigestPlanner(SubscriptionStore store, ReportLibrary library, DeliverySignal signal, DigestSchedule schedule, TimeProvider time, ILogger<DigestPlanner> logger)
{
    public const string LastRunKey = "digest.last_run";

    /// <summary>Owes every active subscription the given month (the latest by default) and wakes the dispatcher.</summary>
    public async Task<int> PlanAsync(ReportMonth? month, CancellationToken ct)
    {
        var target = month ?? library.Current.Latest?.Month;
        if (target is null)
            return 0;
        var added = await store.EnqueueMonthAsync(target.Value.ToString(), ct);
        LogPlanned(target.Value.ToString(), added);
        signal.Wake();
        return added;
    }

    /// <summary>The scheduled run: plan the latest month and record the run.</summary>
    public async Task RunScheduledAsync(CancellationToken ct)
    {
        await PlanAsync(null, ct);
        await store.SetStateAsync(LastRunKey, SubscriptionStore.Stamp(time.GetUtcNow()), ct);
    }

    /// <summary>At start: if a scheduled run passed while the bot was down, run it now, once.</summary>
    public async Task CatchUpAsync(CancellationToken ct)
    {
        var text = await store.GetStateAsync(LastRunKey, ct);
        DateTimeOffset? last = DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t : null;
        if (schedule.Missed(last))
        {
            LogMissed(schedule.Previous());
            await RunScheduledAsync(ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Digest {Month}: {Added} new deliveries owed")]
    private partial void LogPlanned(string month, int added);

    [LoggerMessage(Level = LogLevel.Information, Message = "The digest run of {Scheduled} was missed while the bot was down; running it now")]
    private partial void LogMissed(DateTimeOffset? scheduled);
}
