using System.Diagnostics.Metrics;

namespace KernelDigest.Core.Diagnostics;

/// <summary>
/// The bot's metrics, on one <see cref="Meter"/> named "KernelDigest" (BCL diagnostics, so the core stays free of any
/// exporter): the app exports them to Prometheus through OpenTelemetry.
/// </summary>
public static class Telemetry
{
    public const string MeterName = "KernelDigest";

    private static readonly Meter Meter = new(MeterName, "1.0");

    /// <summary>Updates and interactions handled, by platform, command and outcome.</summary>
    public static readonly Counter<long> Handled = Meter.CreateCounter<long>("kerneldigest.handled", "{update}", "Updates and interactions handled");

    /// <summary>Time to answer one message, by platform.</summary>
    public static readonly Histogram<double> AnswerDuration = Meter.CreateHistogram<double>("kerneldigest.answer.duration", "s", "Time to answer a message",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });

    /// <summary>Searches that found something (result=hit) or nothing (result=miss).</summary>
    public static readonly Counter<long> Searches = Meter.CreateCounter<long>("kerneldigest.searches", "{search}", "Patch searches by result");

    /// <summary>Digest deliveries by platform and outcome (sent, failed, paused, skipped).</summary>
    public static readonly Counter<long> Deliveries = Meter.CreateCounter<long>("kerneldigest.deliveries", "{delivery}", "Digest deliveries by outcome");

    /// <summary>429 Too Many Requests answers received, by platform.</summary>
    public static readonly Counter<long> RateLimited = Meter.CreateCounter<long>("kerneldigest.rate_limited", "{response}", "429 answers received");

    /// <summary>Report reloads, by result (ok, errors).</summary>
    public static readonly Counter<long> ReportReloads = Meter.CreateCounter<long>("kerneldigest.report.reloads", "{reload}", "Report folder reloads");

    private static long _outboxDepth;

    /// <summary>Deliveries owed and not yet sent, as last counted by the dispatcher.</summary>
    public static void SetOutboxDepth(long depth) => Interlocked.Exchange(ref _outboxDepth, depth);

    private static readonly ObservableGauge<long> OutboxDepth =
        Meter.CreateObservableGauge("kerneldigest.outbox.depth", () => Interlocked.Read(ref _outboxDepth), "{delivery}", "Deliveries owed and not yet sent");

    /// <summary>A counter on the bot's meter, for a feature of the app that counts something of its own.</summary>
    public static Counter<long> CreateCounter(string name, string unit, string description) => Meter.CreateCounter<long>(name, unit, description);

    public static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);
}
