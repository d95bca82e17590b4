using KernelDigest.Core.Reports;
using Microsoft.Extensions.Options;

namespace KernelDigest.Bot.Reports;

/// <summary>Loads the reports at start (logging each broken file by name and line) and reloads them when files change.</summary>
internal sealed partial class ReportLoader(ReportLibrary library, IOptions<ReportsOptions> options, ILogger<ReportLoader> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        library.Reloaded += Log;
        library.Reload();
        var poll = options.Value.PollInterval;
        var watch = library.Watch(ex => LogReloadFailed(ex), poll: poll, onWatcherError: ex => LogWatcherFailed(ex.Message, poll));
        stoppingToken.Register(watch.Dispose);
        return Task.CompletedTask;
    }

    private void Log(LibrarySnapshot snapshot)
    {
        KernelDigest.Core.Diagnostics.Telemetry.ReportReloads.Add(1, KernelDigest.Core.Diagnostics.Telemetry.Tag("result", snapshot.Errors.Count == 0 ? "ok" : "errors"));
        foreach (var error in snapshot.Errors)
            LogReportError(error.File, error.Line, error.Message);
        foreach (var report in snapshot.Stale)
            LogStale(report.SourcePath ?? "?", report.Month.ToString());
        LogLoaded(snapshot.Reports.Count, snapshot.Index.Count, library.Directory);
        GiveBackMemory();
    }

    /// <summary>
    /// A load is the one burst of allocation in a bot that then idles for weeks (building the index allocates about
    /// 1.5 MB per entry, parsing the reports more), and the collector keeps the heap it grew until pressure asks for it
    /// back, which at rest never comes. One compacting collection that returns the free memory to the system, after
    /// each (re)load: tens of milliseconds, once a month.
    /// </summary>
    private static void GiveBackMemory() =>
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Reports} reports, {Entries} entries from {Directory}")]
    private partial void LogLoaded(int reports, int entries, string directory);

    [LoggerMessage(Level = LogLevel.Error, Message = "Report file {File}:{Line}: {Problem}")]
    private partial void LogReportError(string file, int line, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Report file {File} is broken; its last good version ({Month}) stays in service until it is fixed")]
    private partial void LogStale(string file, string month);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The report folder's file watcher failed ({Reason}); changes are still found by checking the folder every {Interval}")]
    private partial void LogWatcherFailed(string reason, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reloading reports failed; the previous reports stay in service")]
    private partial void LogReloadFailed(Exception ex);
}
