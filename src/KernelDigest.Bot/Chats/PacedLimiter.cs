using System.Threading.RateLimiting;

namespace KernelDigest.Bot.Chats;

/// <summary>
/// Token-bucket pacing that stays under a platform's limit over any window, not just on average: a bucket of B tokens
/// refilled every P gives at most B + (B/P)·T in a window T. We aim at 96% of the limit with at most 98% in any window,
/// the last 2% a margin for requests that leave paced but arrive bunched. P is whole milliseconds because the
/// limiter's replenishment timer is.
/// </summary>
public static class PacedLimiter
{
    /// <summary>A limiter for at most <paramref name="perWindow"/> permits in any <paramref name="window"/>.</summary>
    public static TokenBucketRateLimiter Create(int perWindow, TimeSpan window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perWindow, 1);
        var windowMs = Math.Max(1, (int)window.TotalMilliseconds);
        var (tokens, periodMs) = Plan(perWindow, windowMs);
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = tokens,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(periodMs),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    /// <summary>The bucket size and refill period (ms) with the highest rate whose busiest window stays at 98%.</summary>
    internal static (int Tokens, int PeriodMs) Plan(int perWindow, int windowMs)
    {
        var target = perWindow * 0.96;
        var ceiling = perWindow * 0.98;
        (int Tokens, int PeriodMs, double Rate) best = (1, windowMs, 1);
        for (var p = 1; p <= windowMs; p++)
        {
            var tokens = (int)Math.Floor(target * p / windowMs);
            if (tokens < 1)
                continue;
            var rate = (double)tokens * windowMs / p;
            if (tokens + rate <= ceiling && rate > best.Rate)
                best = (tokens, p, rate);
        }
        return (best.Tokens, best.PeriodMs);
    }
}
