using Quartz;

namespace KernelDigest.Bot.Subscriptions;

/// <summary>The Quartz job: the monthly run. Clustered on PostgreSQL so that one instance fires it.</summary>
[DisallowConcurrentExecution]
public sealed class DigestJob(DigestPlanner planner) : IJob
{
    public static readonly JobKey Key = new("monthly-digest", "kerneldigest");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await planner.RunScheduledAsync(cancellationToken);
}
