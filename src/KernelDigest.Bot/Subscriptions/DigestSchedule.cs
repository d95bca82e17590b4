using Quartz;

namespace KernelDigest.Bot.Subscriptions;

/// <summary>Schedule arithmetic over the cron expression, on the injected clock (tests use a fake one).</summary>
public sealed class DigestSchedule(DigestOptions options, TimeProvider time)
{
    private CronExpression Cron => new(options.Cron, options.FindZone());

    /// <summary>The next run after now.</summary>
    public DateTimeOffset? Next() => Cron.GetNextValidTimeAfter(time.GetUtcNow());

    /// <summary>The most recent scheduled time at or before now. Cron only looks forward, so walk forward from a month (then a year) back.</summary>
    public DateTimeOffset? Previous()
    {
        var now = time.GetUtcNow();
        var cron = Cron;
        foreach (var span in new[] { TimeSpan.FromDays(32), TimeSpan.FromDays(370) })
        {
            DateTimeOffset? last = null;
            for (var t = cron.GetNextValidTimeAfter(now - span); t is { } at && at <= now; t = cron.GetNextValidTimeAfter(at))
                last = at;
            if (last is not null)
                return last;
        }
        return null;
    }

    /// <summary>True when a scheduled run passed while the bot was down (the last run recorded is older than it).</summary>
    public bool Missed(DateTimeOffset? lastRun) => Previous() is { } previous && (lastRun is null || lastRun < previous);
}
