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

/// <summary>When each request left the bot's HTTP client for the platform, in the order they left.</summary>
internal sealed class DepartureRecorder
{
    private readonly Lock _gate = new();
    private readonly List<DateTimeOffset> _times = [];

    public IReadOnlyList<DateTimeOffset> Times
    {
        get
        {
            lock (_gate)
                return [.. _times];
        }
    }

    public void Add(DateTimeOffset at)
    {
        lock (_gate)
            _times.Add(at);
    }
}

/// <summary>
/// Notes when each request leaves (added last to the client, so after the bot's pacing, before the network): the bot's
/// own pacing, without the bunching a busy machine adds on the way to the double.
/// </summary>
internal sealed class DepartureHandler(DepartureRecorder recorder) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        recorder.Add(DateTimeOffset.UtcNow);
        return base.SendAsync(request, cancellationToken);
    }
}
