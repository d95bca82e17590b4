using Microsoft.Extensions.Options;

namespace KernelDigest.Bot.Subscriptions;

/// <summary>
/// Runs the dispatcher whenever there may be work: woken by the planner and /subscribe, and every few seconds to pick
/// up retries that came due and deliveries another instance left behind.
/// </summary>
public sealed partial class DeliveryWorker(
    DigestPlanner planner,
    DeliveryDispatcher dispatcher,
    SubscriptionStore store,
    DeliverySignal signal,
    Storage.StorageStatus storage,
    IOptions<DigestOptions> options,
    ILogger<DeliveryWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Storage that could not be written at start is migrated later (StorageProbe): there is nothing to send before.
        await storage.Migrated.WaitAsync(stoppingToken);
        var caughtUp = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // A missed run is made up once; if storage fails then, on a later round rather than never.
                if (!caughtUp)
                {
                    await planner.CatchUpAsync(stoppingToken);
                    caughtUp = true;
                }
                await dispatcher.DrainAsync(stoppingToken);
                var counts = await store.CountsAsync(null, stoppingToken);
                KernelDigest.Core.Diagnostics.Telemetry.SetOutboxDepth(counts.Pending + counts.Sending);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(ex); // the store was unreachable, say: try again on the next round
            }
            try
            {
                await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Digest delivery round failed")]
    private partial void LogFailed(Exception ex);
}
