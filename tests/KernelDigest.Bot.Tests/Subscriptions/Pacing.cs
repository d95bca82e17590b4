namespace KernelDigest.Bot.Tests.Subscriptions;

/// <summary>What a rate limit is judged by: the most requests that arrived within any one second.</summary>
internal static class Pacing
{
    public static int BusiestSecond(IEnumerable<DateTimeOffset> arrivals)
    {
        var times = arrivals.Order().ToList();
        var best = 0;
        for (int i = 0, j = 0; i < times.Count; i++)
        {
            while (times[i] - times[j] >= TimeSpan.FromSeconds(1))
                j++;
            best = Math.Max(best, i - j + 1);
        }
        return best;
    }
}
