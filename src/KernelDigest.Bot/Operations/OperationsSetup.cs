using KernelDigest.Core.Diagnostics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;

namespace KernelDigest.Bot.Operations;

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
