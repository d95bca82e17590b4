using System.Collections.Concurrent;
using KernelDigest.Bot.Storage;
using KernelDigest.Core.Diagnostics;
using KernelDigest.Core.Reports;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;

namespace KernelDigest.Bot.Operations;

/// <summary>
/// Which chat platforms are enabled and whether each has proved its credentials (Telegram getMe, Discord command
/// registration). Platforms report here; readiness reads it.
/// </summary>
public sealed class PlatformStatus
{
    private readonly ConcurrentDictionary<string, bool> _platforms = new(StringComparer.Ordinal);

    /// <summary>A configured platform, not yet authenticated.</summary>
    public void Enabled(string platform) => _platforms.TryAdd(platform, false);

    public void Authenticated(string platform) => _platforms[platform] = true;

    public IReadOnlyDictionary<string, bool> Snapshot => _platforms;
}

public static class OperationsSetup
{
    /// <summary>Health checks (live, ready) and OpenTelemetry metrics with a Prometheus scrape endpoint.</summary>
    public static IHostApplicationBuilder AddOperations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PlatformStatus>();
        builder.Services.AddHealthChecks()
            .AddCheck<ReportsHealthCheck>("reports", tags: ["ready"])
            .AddCheck<StoreHealthCheck>("store", tags: ["ready"])
            .AddCheck<PlatformsHealthCheck>("platforms", tags: ["ready"]);
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddMeter(Telemetry.MeterName)
                .AddPrometheusExporter());
        return builder;
    }

    /// <summary><c>/health/live</c> (the process answers), <c>/health/ready</c> (able to serve), <c>/metrics</c>.</summary>
    public static WebApplication MapOperations(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains("ready"),
            ResponseWriter = WriteReport,
        });
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    // A plain one-line-per-check report, so an operator reading curl's output sees which part is not ready.
    private static Task WriteReport(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var lines = report.Entries.Select(e => $"{e.Key}: {e.Value.Status}{(e.Value.Description is { } d ? " — " + d : "")}");
        return context.Response.WriteAsync($"{report.Status}\n{string.Join('\n', lines)}\n");
    }
}

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
