using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Search;
using KernelDigest.Core.Subsystems;
using Microsoft.Extensions.Options;

namespace KernelDigest.Bot.Reports;

/// <summary>Wires the report library, search and commands into the host, and loads/watches the report folder.</summary>
public static class ReportsSetup
{
    public static IHostApplicationBuilder AddReports(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReportsOptions>()
            .BindConfiguration(ReportsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => CreateLibrary(sp.GetRequiredService<IOptions<ReportsOptions>>().Value));
        builder.Services.AddSingleton<CommandRouter>();
        builder.Services.AddHostedService<ReportLoader>();
        return builder;
    }

    /// <summary>
    /// Builds the library from options; also used by the CLI, which runs without a host. Drafts are left out unless
    /// <paramref name="includeDrafts"/> (only <c>ask --drafts</c> asks: chats and digests never see a draft).
    /// </summary>
    public static ReportLibrary CreateLibrary(ReportsOptions options, bool includeDrafts = false)
    {
        var subsystems = SubsystemCatalog.Load(ReportsOptions.Resolve(options.SubsystemsFile));
        var glossary = Glossary.Load(ReportsOptions.Resolve(options.GlossaryFile));
        var cache = string.IsNullOrWhiteSpace(options.IndexCacheDirectory) ? null : Path.GetFullPath(options.IndexCacheDirectory);
        return new ReportLibrary(ReportsOptions.Resolve(options.Directory), subsystems, new PatchIndexFactory(glossary, subsystems, cache), includeDrafts);
    }

    public static ReportsOptions ReadOptions(IConfiguration configuration)
    {
        var options = new ReportsOptions();
        configuration.GetSection(ReportsOptions.SectionName).Bind(options);
        return options;
    }
}

/// <summary>Loads the reports at start (logging each broken file by name and line) and reloads them when files change.</summary>
internal sealed partial class ReportLoader(ReportLibrary library, ILogger<ReportLoader> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        library.Reloaded += Log;
        library.Reload();
        var watch = library.Watch(ex => LogReloadFailed(ex));
        stoppingToken.Register(watch.Dispose);
        return Task.CompletedTask;
    }

    private void Log(LibrarySnapshot snapshot)
    {
        KernelDigest.Core.Diagnostics.Telemetry.ReportReloads.Add(1, KernelDigest.Core.Diagnostics.Telemetry.Tag("result", snapshot.Errors.Count == 0 ? "ok" : "errors"));
        foreach (var error in snapshot.Errors)
            LogReportError(error.File, error.Line, error.Message);
        LogLoaded(snapshot.Reports.Count, snapshot.Index.Count, library.Directory);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Reports} reports, {Entries} entries from {Directory}")]
    private partial void LogLoaded(int reports, int entries, string directory);

    [LoggerMessage(Level = LogLevel.Error, Message = "Report file {File}:{Line}: {Problem}")]
    private partial void LogReportError(string file, int line, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reloading reports failed; the previous reports stay in service")]
    private partial void LogReloadFailed(Exception ex);
}
