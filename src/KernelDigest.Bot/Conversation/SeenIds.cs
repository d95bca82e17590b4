using KernelDigest.Core.Commands;
using Microsoft.Extensions.Caching.Memory;

namespace KernelDigest.Bot.Conversation;

/// <summary>
/// Updates and interactions this process has already taken, by id, for an hour: Telegram delivers a webhook update
/// again when it believes the first delivery failed, a resumed gateway session may replay an event, and a captured
/// interaction may be replayed. Each is answered once. Bounded in memory; per process, since a retry goes to the same
/// address and so, behind one proxy, most often to the same instance.
/// </summary>
public sealed class SeenIds : IDisposable
{
    private static readonly TimeSpan Memory = TimeSpan.FromHours(1);

    private readonly MemoryCache _seen = new(new MemoryCacheOptions { SizeLimit = 200_000 });

    /// <summary>True the first time a platform's update or interaction id is offered; false for a repeat.</summary>
    public bool FirstTime(Platform platform, string id)
    {
        var key = platform.Key + ":" + id;
        var first = false;
        _seen.GetOrCreate(key, entry =>
        {
            first = true;
            entry.Size = 1;
            entry.AbsoluteExpirationRelativeToNow = Memory;
            return true;
        });
        return first;
    }

    public void Dispose() => _seen.Dispose();
}
