using KernelDigest.Bot.Lore;
using KernelDigest.Bot.Reports;
using KernelDigest.Bot.Tests.LoreDouble;
using KernelDigest.Core.Lore;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Subsystems;
using Microsoft.Extensions.Logging.Abstractions;

namespace KernelDigest.Bot.Tests.Lore;

/// <summary>The lore client and drafter pointed at a <see cref="FakeLore"/>, fast: no pacing, a private cache folder.</summary>
internal static class LoreHarness
{
    public static readonly ReportMonth September = new(2020, 9);

    public static SubsystemCatalog Catalog { get; } = SubsystemCatalog.Load(Path.Combine(BotProcess.RepoRoot, "config", "subsystems.yaml"));

    /// <summary>The inboxes config/subsystems.yaml names that have no fixture: they exist, empty, on the double.</summary>
    public static string[] EmptyInboxes => [.. Catalog.All.SelectMany(s => s.Lore).Select(l => l.Inbox).Distinct()];

    public static LoreOptions Options(FakeLore lore, string? cache = null, TimeSpan? timeout = null, int retries = 3) => new()
    {
        BaseUrl = lore.BaseUrl.ToString(),
        MaxRequestsPerMinute = 60_000,
        Timeout = timeout ?? TimeSpan.FromSeconds(10),
        MaxRetries = retries,
        CacheDirectory = cache ?? "",
    };

    public static LoreClient Client(LoreOptions options) => new(options, TimeProvider.System, NullLogger<LoreClient>.Instance);

    public static IReadOnlyList<Subsystem> Drafted => [.. Catalog.All.Where(s => s.Key is "virtualization" or "filesystems" or "architecture" or "networking")];

    public static async Task<Report> DraftAsync(LoreClient client, int top = 8, IReadOnlyList<Subsystem>? subsystems = null)
    {
        var (sections, _) = await new LoreDrafter(client, TextWriter.Null).DraftAsync(September, subsystems ?? Drafted, top, TimeSpan.FromDays(3), CancellationToken.None);
        return DraftReport.Build(September, "Linux内核月报(2020年09月)", sections);
    }
}
