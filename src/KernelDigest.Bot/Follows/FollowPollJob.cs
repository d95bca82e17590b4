using Quartz;

namespace KernelDigest.Bot.Follows;

/// <summary>
/// The Quartz job that polls lore for followed series and watched queries every <c>Lore:PollInterval</c>. One per deployment: clustered
/// on PostgreSQL, so only one instance of a cluster polls.
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class FollowPollJob(FollowPoller poller, WatchPoller watches, ILogger<FollowPollJob> logger) : IJob
{
    public static readonly JobKey Key = new("follow-poll", "kerneldigest");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        try
        {
            var counts = await poller.PollAsync(cancellationToken);
            LogPolled(counts.Inboxes, counts.Failed, counts.Messages, counts.Notices, counts.Requests);
            var watched = await watches.PollAsync(cancellationToken);
            LogWatched(watched.Inboxes, watched.Failed, watched.Messages, watched.Notices, watched.Requests);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(ex); // the store was unreachable, say: the next run tries again from the stored positions
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Follow poll: {Inboxes} inboxes ({Failed} failed), {Messages} messages, {Notices} notices, {Requests} lore requests")]
    private partial void LogPolled(int inboxes, int failed, int messages, int notices, int requests);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watch poll: {Queries} queries ({Failed} failed), {Messages} messages, {Notices} notices, {Requests} lore requests")]
    private partial void LogWatched(int queries, int failed, int messages, int notices, int requests);

    [LoggerMessage(Level = LogLevel.Error, Message = "Follow poll failed")]
    private partial void LogFailed(Exception ex);
}
