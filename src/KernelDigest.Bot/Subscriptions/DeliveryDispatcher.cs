using KernelDigest.Bot.Chats;
using KernelDigest.Bot.Follows;
using KernelDigest.Bot.Storage;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Diagnostics;
using KernelDigest.Core.Reports;
using Microsoft.Extensions.Options;

namespace KernelDigest.Bot.Subscriptions;

/// <summary>What one dispatch pass did.</summary>
public sealed record DispatchCounts(int Sent, int Failed, int Paused, int Skipped, int Deferred);

/// <summary>
/// Sends what the outbox owes. Each delivery is claimed before sending and marked sent only after the platform
/// confirmed every part, so a crash or kill at any moment loses nothing; the delivery is taken over after the claim
/// times out, and only the one message that was in flight can be sent twice.
/// </summary>
public sealed partial class DeliveryDispatcher(
    SubscriptionStore store,
    IEnumerable<IChatSender> senders,
    ChatStates chats,
    Leases leases,
    ReportLibrary library,
    IOptions<DigestOptions> options,
    TimeProvider time,
    ILogger<DeliveryDispatcher> logger,
    ReportCommands commands) : IDisposable
{
    private readonly Dictionary<Platform, IChatSender> _senders = senders.ToDictionary(s => s.Platform);

    /// <summary>Identifies this process's claims in a form that can be checked: host, process id, start time.</summary>
    public string Instance { get; } = ClaimHolder.New().ToString();

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(Report Report, string Lang, string Filter), Reply> _digests = new();

    // One round at a time in a process: so at the start of a round, claims that name this process are left over from
    // a round that failed (its database went away mid-send), never another round's work in flight.
    private readonly SemaphoreSlim _round = new(1, 1);

    public void Dispose() => _round.Dispose();

    /// <summary>Claims and sends until nothing is due. Returns what was done.</summary>
    public async Task<DispatchCounts> DrainAsync(CancellationToken ct)
    {
        await _round.WaitAsync(ct);
        try
        {
            return await DrainOnceAsync(ct);
        }
        finally
        {
            _round.Release();
        }
    }

    private async Task<DispatchCounts> DrainOnceAsync(CancellationToken ct)
    {
        _digests.Clear();
        var o = options.Value;
        await TakeOverFromTheDeadAsync(o.ClaimTimeout, ct);
        var counts = new int[5];
        // One sender per platform in a cluster: the platform's limit belongs to the bot token, not to the process.
        var leased = await LeaseSendersAsync(o.ClaimTimeout, ct);
        if (leased.Count == 0)
            return new DispatchCounts(0, 0, 0, 0, 0);
        using var draining = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var renewing = RenewSendersAsync(leased, o.ClaimTimeout, draining.Token);
        try
        {
            await SendAllAsync(o, () => { lock (leased) return [.. leased]; }, counts, ct);
        }
        finally
        {
            await draining.CancelAsync();
            await renewing;
            foreach (var platform in leased)
                await leases.ReleaseAsync(SenderLease(platform), Instance, CancellationToken.None);
        }
        return new DispatchCounts(counts[0], counts[1], counts[2], counts[3], counts[4]);
    }

    private async Task SendAllAsync(DigestOptions o, Func<Platform[]> platforms, int[] counts, CancellationToken ct)
    {
        // Claims flow through a short queue to the senders, so sending never waits for a whole batch to finish; the
        // queue is small, so a claim waits at most a few sends before it is renewed and sent.
        var queue = System.Threading.Channels.Channel.CreateBounded<ClaimedDelivery>(o.Concurrency * 2);
        var claimer = Task.Run(async () =>
        {
            try
            {
                while (!ct.IsCancellationRequested)
                {
                    var leasedNow = platforms();
                    if (leasedNow.Length == 0)
                        break;
                    // Only platforms this instance serves and holds the sender lease of: the rest stay for others.
                    var batch = await store.ClaimAsync(Instance, o.Concurrency * 2, o.ClaimTimeout, ct, leasedNow);
                    if (batch.Count == 0)
                        break;
                    foreach (var claimed in batch)
                        await queue.Writer.WriteAsync(claimed, ct);
                }
            }
            finally
            {
                queue.Writer.Complete();
            }
        }, ct);
        await Parallel.ForEachAsync(queue.Reader.ReadAllAsync(ct), new ParallelOptions { MaxDegreeOfParallelism = o.Concurrency, CancellationToken = ct }, async (claimed, token) =>
        {
            var outcome = await DeliverAsync(claimed, token);
            Interlocked.Increment(ref counts[(int)outcome]);
            Telemetry.Deliveries.Add(1, Telemetry.Tag("platform", claimed.Subscription.Platform.Key), Telemetry.Tag("outcome", outcome.ToString().ToLowerInvariant()));
        });
        await claimer;
    }

    private static string SenderLease(Platform platform) => "sender:" + platform.Key;

    /// <summary>
    /// The platforms this instance may send to now: those whose sender lease it holds or could take (free, expired, or
    /// held by a process of this host that is gone). The lease lasts a claim timeout, so a survivor takes over a dead
    /// sender's work within a claim timeout and a poll interval.
    /// </summary>
    private async Task<HashSet<Platform>> LeaseSendersAsync(TimeSpan length, CancellationToken ct)
    {
        var leased = new HashSet<Platform>();
        foreach (var platform in _senders.Keys)
        {
            var name = SenderLease(platform);
            if (await leases.HolderAsync(name, ct) is { } held && held.Holder != Instance && ClaimHolder.Parse(held.Holder) is { IsDeadHere: true })
                await leases.ReleaseAsync(name, held.Holder, ct);
            if (await leases.TryAcquireAsync(name, Instance, length, ct))
                leased.Add(platform);
        }
        return leased;
    }

    /// <summary>Renews the sender leases while a drain runs; a platform whose lease is lost is claimed no more.</summary>
    private async Task RenewSendersAsync(HashSet<Platform> leased, TimeSpan length, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            await Task.Delay(length / 3, time, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (ct.IsCancellationRequested)
                return;
            Platform[] held;
            lock (leased)
                held = [.. leased];
            foreach (var platform in held)
            {
                try
                {
                    if (await leases.TryAcquireAsync(SenderLease(platform), Instance, length, ct))
                        continue;
                    LogSenderLeaseLost(platform.Key);
                    lock (leased)
                        leased.Remove(platform);
                }
                catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException or OperationCanceledException)
                {
                    // The database is away: the claims lapse with the lease, and another instance may take both over.
                }
            }
        }
    }


    /// <summary>
    /// Claims whose holder is a process of this host that is gone (killed, crashed), or this process's own from a round
    /// that failed, go back in the queue now, not after the claim timeout: a rerun after a crash, or the next round
    /// after the database came back, finishes the job at once.
    /// </summary>
    private async Task TakeOverFromTheDeadAsync(TimeSpan claimTimeout, CancellationToken ct)
    {
        foreach (var (holder, _, _) in await store.HeldClaimsAsync(claimTimeout, ct))
        {
            if (holder == Instance)
            {
                // A round of this process failed (the database went away mid-send) and left its claims: nothing of
                // this process is sending them now, so they go back at once rather than after the claim timeout.
                var mine = await store.ReleaseClaimsOfAsync(holder, ct);
                if (mine > 0)
                    LogResumed(mine);
                continue;
            }
            if (ClaimHolder.Parse(holder) is not { IsDeadHere: true } dead)
                continue;
            var released = await store.ReleaseClaimsOfAsync(holder, ct);
            if (released > 0)
                LogTakenOver(released, dead.Display);
        }
    }

    /// <summary>Deliveries other live processes hold now, by holder, and until when their claims run.</summary>
    public async Task<IReadOnlyList<(string Holder, int Count, DateTimeOffset Until)>> HeldElsewhereAsync(CancellationToken ct) =>
        [.. (await store.HeldClaimsAsync(options.Value.ClaimTimeout, ct))
            .Where(h => h.Holder != Instance && ClaimHolder.Parse(h.Holder) is not { IsDeadHere: true })
            .Select(h => (ClaimHolder.Parse(h.Holder)?.Display ?? h.Holder, h.Count, h.Newest + options.Value.ClaimTimeout))];

    private enum Outcome { Sent, Failed, Paused, Skipped, Deferred }

    private async Task<Outcome> DeliverAsync(ClaimedDelivery claimed, CancellationToken ct)
    {
        var (delivery, subscription) = claimed;
        var sender = _senders[subscription.Platform]; // the claimer only queues platforms this instance serves
        Reply digest;
        if (delivery.Kind == DeliveryKind.Notice)
        {
            // A follow's notice: its facts were fixed when lore showed them; the words are the chat's language.
            if (FollowNotice.FromJson(delivery.Payload) is not { } notice)
            {
                await store.MarkFailedAsync(delivery.Id, "the notice's payload cannot be read", ct);
                return Outcome.Failed;
            }
            digest = notice.Render(Langs.FromCode(subscription.Lang));
        }
        else
        {
            if (!ReportMonth.TryParse(delivery.Month, out var month) || library.Current.Find(month) is not { } report)
            {
                await store.MarkFailedAsync(delivery.Id, $"no report for {delivery.Month} is loaded", ct);
                return Outcome.Failed;
            }
            // Thousands of subscriptions share a handful of (language, filter) digests: build each once per pass.
            digest = _digests.GetOrAdd((report, subscription.Lang, subscription.Filter), key =>
            {
                var filter = subscription.Subsystems;
                return commands.ScheduledDigest(key.Report, Langs.FromCode(key.Lang), "/month " + delivery.Month, "digest", filter.Count > 0 ? filter : null);
            });
            if (digest.Items.Count == 0)
            {
                // The filter leaves nothing of this month: nothing is sent, and the month counts as done.
                await store.MarkSkippedAsync(delivery.Id, ct);
                return Outcome.Skipped;
            }
        }

        if (!await store.RenewClaimAsync(delivery.Id, Instance, ct))
            return Outcome.Deferred; // taken over by another instance while this one waited

        DigestSendResult result;
        var address = subscription.Address;
        try
        {
            result = await sender.SendDigestAsync(address, digest, delivery.PartsSent,
                parts => store.MarkPartsSentAsync(delivery.Id, parts, CancellationToken.None), ct);
            if (result.Result is SendResult.Gone { Reason: GoneReason.Migrated, NewChatId: { } newId } moved)
            {
                // The chat lives on under a new id: the subscription follows it, and the digest goes on there at once.
                await chats.ApplyAsync(address, moved, CancellationToken.None);
                address = address with { ChatId = newId };
                result = await sender.SendDigestAsync(address, digest, result.PartsSent,
                    parts => store.MarkPartsSentAsync(delivery.Id, parts, CancellationToken.None), ct);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            result = new DigestSendResult(new SendResult.RetryLater(ex.Message), delivery.PartsSent);
        }

        var chat = address.ToString();
        var what = delivery.Kind == DeliveryKind.Notice ? "notice " + delivery.Id : delivery.Month;
        switch (result.Result)
        {
            case SendResult.Sent:
                await store.MarkSentAsync(delivery.Id, CancellationToken.None);
                LogDelivered(chat, what, "sent");
                return Outcome.Sent;
            case SendResult.Gone gone:
                await store.MarkFailedAsync(delivery.Id, gone.Description, CancellationToken.None);
                await chats.ApplyAsync(address, gone, CancellationToken.None);
                LogDelivered(chat, what, "paused: " + gone.Description);
                return Outcome.Paused;
            case SendResult.RetryLater retry:
                if (delivery.Attempts >= options.Value.MaxAttempts)
                {
                    await store.MarkFailedAsync(delivery.Id, retry.Reason, CancellationToken.None);
                    LogDelivered(chat, what, "failed: " + retry.Reason);
                    return Outcome.Failed;
                }
                // Back off 30 s, 1, 2, 4 … minutes, at most an hour; later when the platform asked for longer.
                var wait = TimeSpan.FromSeconds(Math.Min(3600, 30 * Math.Pow(2, Math.Max(0, delivery.Attempts - 1))));
                var due = time.GetUtcNow() + wait;
                if (retry.NotBefore is { } asked && asked > due)
                    due = asked;
                await store.RetryLaterAsync(delivery.Id, retry.Reason, due, CancellationToken.None);
                LogDelivered(chat, what, $"retry at {due:HH:mm:ss}: {retry.Reason}");
                return Outcome.Deferred;
            default:
                throw new InvalidOperationException($"unknown send result {result.Result}");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} deliveries claimed by a round of this process that failed go back in the queue")]
    private partial void LogResumed(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the {Platform} sender lease to another instance during a delivery round")]
    private partial void LogSenderLeaseLost(string platform);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Took over {Count} deliveries claimed by {Holder}, a process of this host that is no longer running")]
    private partial void LogTakenOver(int count, string holder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery {What} to {Chat}: {Outcome}")]
    private partial void LogDelivered(string chat, string what, string outcome);
}
