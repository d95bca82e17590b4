using System.Threading.RateLimiting;

namespace KernelDigest.Bot.Chats;

/// <summary>
/// Token-bucket pacing that stays under a platform's limit over any window, not just on average: a bucket of size B
/// refilled at rate R sends at most B + R·T in T seconds, so R = L − B keeps every one-second window at or under L.
/// </summary>
public static class PacedLimiter
{
    /// <summary>A limiter for at most <paramref name="perWindow"/> permits in any <paramref name="window"/>.</summary>
    public static TokenBucketRateLimiter Create(int perWindow, TimeSpan window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perWindow, 1);
        var burst = Math.Max(1, perWindow / 25);
        var rate = Math.Max(1, perWindow - burst); // permits per window, after the burst
        // Refill one burst's worth at a time; the period follows from the rate.
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, window.Ticks * burst / rate));
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = burst,
            ReplenishmentPeriod = period,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }
}
