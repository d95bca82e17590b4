using System.Collections.Concurrent;
using KernelDigest.Core.Commands;

namespace KernelDigest.Bot.Operations;

/// <summary>
/// Which chat platforms are enabled and whether each has proved its credentials (Telegram getMe, Discord command
/// registration). Platforms report here; readiness reads it.
/// </summary>
public sealed class PlatformStatus
{
    private readonly ConcurrentDictionary<Platform, bool> _platforms = new();

    /// <summary>A configured platform, not yet authenticated.</summary>
    public void Enabled(Platform platform) => _platforms.TryAdd(platform, false);

    public void Authenticated(Platform platform) => _platforms[platform] = true;

    public IReadOnlyDictionary<Platform, bool> Snapshot => _platforms;
}
