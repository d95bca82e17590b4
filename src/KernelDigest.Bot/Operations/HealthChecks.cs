using KernelDigest.Bot.Storage;
using KernelDigest.Core.Reports;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KernelDigest.Bot.Operations;

/// <summary>
/// Ready while any report is served; degraded (still 200, so a load balancer keeps the instance) while a file is broken,
/// naming each broken file and line, and which months are served from a file's last good version.
/// </summary>
internal sealed class ReportsHealthCheck(ReportLibrary library) : IHealthCheck
{
    private const int Named = 5; // a folder of broken files must not make an endless health line

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = library.Current;
        if (snapshot.Reports.Count == 0)
            return Task.FromResult(HealthCheckResult.Unhealthy($"no reports loaded from {library.Directory}"));
        var served = $"{snapshot.Reports.Count} report(s), {snapshot.Index.Count} entries";
        if (snapshot.Errors.Count == 0)
            return Task.FromResult(HealthCheckResult.Healthy($"{served}, 0 file error(s)"));
        var errors = snapshot.Errors.Take(Named).Select(e => $"{Path.GetFileName(e.File)}:{e.Line}: {e.Message}");
        var more = snapshot.Errors.Count > Named ? $"; and {snapshot.Errors.Count - Named} more" : "";
        var stale = snapshot.Stale.Count == 0 ? "" : $"; last good version served for {string.Join(", ", snapshot.Stale.Select(r => r.Month))}";
        return Task.FromResult(HealthCheckResult.Degraded($"{served}, {snapshot.Errors.Count} file error(s): {string.Join("; ", errors)}{more}{stale}"));
    }
}

/// <summary>Not ready while storage cannot be written (<see cref="StorageProbe"/> names why), or cannot be reached.</summary>
internal sealed class StoreHealthCheck(Database db, StorageStatus status) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (status.Problem is { } problem)
            return HealthCheckResult.Unhealthy(problem);
        try
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(cancellationToken);
            return status.IsMigrated ? HealthCheckResult.Healthy(db.Provider.ToString()) : HealthCheckResult.Unhealthy($"{db.Describe()}: not migrated yet");
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"{db.Provider} unreachable: {ex.Message}");
        }
    }
}

internal sealed class PlatformsHealthCheck(PlatformStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var platforms = status.Snapshot;
        var waiting = platforms.Where(p => !p.Value).Select(p => p.Key).ToList();
        var text = platforms.Count == 0 ? "none enabled (console chat)" : string.Join(", ", platforms.Select(p => $"{p.Key} {(p.Value ? "authenticated" : "not authenticated")}"));
        return Task.FromResult(waiting.Count == 0 ? HealthCheckResult.Healthy(text) : HealthCheckResult.Unhealthy(text));
    }
}
