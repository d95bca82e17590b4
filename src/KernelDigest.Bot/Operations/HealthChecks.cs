using KernelDigest.Bot.Storage;
using KernelDigest.Core.Reports;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KernelDigest.Bot.Operations;

internal sealed class ReportsHealthCheck(ReportLibrary library) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = library.Current;
        return Task.FromResult(snapshot.Reports.Count > 0
            ? HealthCheckResult.Healthy($"{snapshot.Reports.Count} report(s), {snapshot.Index.Count} entries, {snapshot.Errors.Count} file error(s)")
            : HealthCheckResult.Unhealthy($"no reports loaded from {library.Directory}"));
    }
}

internal sealed class StoreHealthCheck(Database db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy(db.Provider.ToString());
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
