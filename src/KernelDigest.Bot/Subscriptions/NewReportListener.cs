using KernelDigest.Core.Reports;
using Microsoft.Extensions.Options;

namespace KernelDigest.Bot.Subscriptions;

/// <summary>
/// With <c>Digest:PostOnNewReport</c>, owes subscribers a new month as soon as its report appears, rather than at the
/// next scheduled run. Owing is idempotent, so every instance of a cluster may do it.
/// </summary>
internal sealed partial class NewReportListener(
    ReportLibrary library,
    DigestPlanner planner,
    IOptions<DigestOptions> options,
    ILogger<NewReportListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.PostOnNewReport)
            return;
        var months = System.Threading.Channels.Channel.CreateUnbounded<ReportMonth>();
        ReportMonth? latest = library.Current.Latest?.Month;
        library.Reloaded += snapshot =>
        {
            if (snapshot.Latest?.Month is { } month && (latest is null || month > latest))
            {
                latest = month;
                months.Writer.TryWrite(month);
            }
        };
        await foreach (var month in months.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await planner.PlanAsync(month, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(month.ToString(), ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Owing subscribers the new month {Month} failed")]
    private partial void LogFailed(string month, Exception ex);
}
