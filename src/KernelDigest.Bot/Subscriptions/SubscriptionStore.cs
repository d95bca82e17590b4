using System.Data.Common;
using System.Globalization;
using Dapper;
using KernelDigest.Bot.Storage;
using KernelDigest.Core.Commands;

namespace KernelDigest.Bot.Subscriptions;

/// <summary>
/// Subscriptions, the delivery outbox and small platform state, over Dapper. Every write that could race between two
/// instances is a single statement guarded by a unique key or a row claim, or such statements in one transaction.
/// </summary>
public sealed class SubscriptionStore(Database db, TimeProvider time)
{
    private string Now => Stamp(time.GetUtcNow());

    /// <summary>Times are stored as sortable UTC text, the same on SQLite and PostgreSQL.</summary>
    public static string Stamp(DateTimeOffset t) => Database.Stamp(t);

    public async Task<Subscription> SubscribeAsync(ChatAddress chat, string lang, string filter, string? createdBy, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await SubscribeAsync(c, null, chat, lang, filter, createdBy, ct);
    }

    /// <summary>
    /// Subscribes a chat and owes it <paramref name="month"/>, held until <paramref name="heldUntil"/> (/subscribe: the
    /// latest, behind its confirmation), in one transaction, so a planner run cannot owe that month due now in between.
    /// Owed is false when the chat has that month already, or is being sent it.
    /// </summary>
    public async Task<(Subscription Subscription, bool Owed)> SubscribeOwingAsync(ChatAddress chat, string lang, string filter, string? createdBy,
        string month, DateTimeOffset heldUntil, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var subscription = await SubscribeAsync(c, tx, chat, lang, filter, createdBy, ct);
        var owed = await OweHeldAsync(c, tx, subscription.Id, month, heldUntil, ct);
        await tx.CommitAsync(ct);
        return (subscription, owed);
    }

    private Task<Subscription> SubscribeAsync(DbConnection c, DbTransaction? tx, ChatAddress chat, string lang, string filter, string? createdBy, CancellationToken ct) =>
        c.QuerySingleAsync<Subscription>(new CommandDefinition("""
            INSERT INTO subscriptions (platform, chat_id, thread_id, lang, filter, status, created_by, created_at, updated_at)
            VALUES (@platform, @chatId, @threadId, @lang, @filter, 'active', @createdBy, @now, @now)
            ON CONFLICT (platform, chat_id, thread_id) DO UPDATE SET lang = excluded.lang, filter = excluded.filter,
                status = 'active', paused_reason = NULL, updated_at = excluded.updated_at
            RETURNING *
            """, new { platform = chat.Platform, chatId = chat.ChatId, threadId = chat.ThreadId ?? "", lang, filter, createdBy, now = Now }, tx, cancellationToken: ct));

    public async Task<Subscription?> GetAsync(ChatAddress chat, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<Subscription>(new CommandDefinition(
            "SELECT * FROM subscriptions WHERE platform = @platform AND chat_id = @chatId AND thread_id = @threadId",
            new { platform = chat.Platform, chatId = chat.ChatId, threadId = chat.ThreadId ?? "" }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<Subscription>> ListAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return [.. await c.QueryAsync<Subscription>(new CommandDefinition("SELECT * FROM subscriptions ORDER BY id", cancellationToken: ct))];
    }

    /// <summary>Sets the status (and reason) of one subscription: the chat's own, or one topic's; false when there is none.</summary>
    public async Task<bool> SetStatusAsync(ChatAddress chat, string status, string? reason, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition("""
            UPDATE subscriptions SET status = @status, paused_reason = @reason, updated_at = @now
            WHERE platform = @platform AND chat_id = @chatId AND thread_id = @threadId AND status <> 'unsubscribed'
            """, new { platform = chat.Platform, chatId = chat.ChatId, threadId = chat.ThreadId ?? "", status, reason, now = Now }, cancellationToken: ct)) > 0;
    }

    /// <summary>Sets the status of every subscription in a chat, its topics' included (the bot was removed, say).</summary>
    public async Task<int> SetChatStatusAsync(Platform platform, string chatId, string status, string? reason, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition("""
            UPDATE subscriptions SET status = @status, paused_reason = @reason, updated_at = @now
            WHERE platform = @platform AND chat_id = @chatId AND status <> 'unsubscribed'
            """, new { platform, chatId, status, reason, now = Now }, cancellationToken: ct));
    }

    public async Task<bool> UnsubscribeAsync(ChatAddress chat, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition("""
            UPDATE subscriptions SET status = 'unsubscribed', paused_reason = NULL, updated_at = @now
            WHERE platform = @platform AND chat_id = @chatId AND thread_id = @threadId AND status <> 'unsubscribed'
            """, new { platform = chat.Platform, chatId = chat.ChatId, threadId = chat.ThreadId ?? "", now = Now }, cancellationToken: ct)) > 0;
    }

    /// <summary>A Telegram group became a supergroup: its subscriptions (topics too) follow the chat to its new id.</summary>
    public async Task MoveChatAsync(Platform platform, string oldChatId, string newChatId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("""
            UPDATE subscriptions SET chat_id = @newChatId, updated_at = @now
            WHERE platform = @platform AND chat_id = @oldChatId
              AND NOT EXISTS (SELECT 1 FROM subscriptions s2 WHERE s2.platform = @platform AND s2.chat_id = @newChatId AND s2.thread_id = subscriptions.thread_id)
            """, new { platform, oldChatId, newChatId, now = Now }, cancellationToken: ct));
    }

    /// <summary>The newest month delivered to a subscription, if any.</summary>
    public async Task<string?> LastDeliveredAsync(long subscriptionId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT MAX(month) FROM deliveries WHERE subscription_id = @subscriptionId AND status = 'sent'", new { subscriptionId }, cancellationToken: ct));
    }

    /// <summary>Records that every active subscription is owed this month's digest; returns how many rows were new.</summary>
    public async Task<int> EnqueueMonthAsync(string month, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO deliveries (subscription_id, month, status, created_at)
            SELECT id, @month, 'pending', @now FROM subscriptions WHERE status = 'active'
            ON CONFLICT (subscription_id, month) DO NOTHING
            """, new { month, now = Now }, cancellationToken: ct));
    }

    /// <summary>
    /// Owes one subscription a month's digest, held back until <paramref name="heldUntil"/>. A delivery of that month
    /// already owed and not yet tried (a planner run a moment earlier) is held the same way. False when it is under way
    /// or done: the chat has it, or is about to.
    /// </summary>
    private async Task<bool> OweHeldAsync(DbConnection c, DbTransaction? tx, long subscriptionId, string month, DateTimeOffset heldUntil, CancellationToken ct) =>
        await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO deliveries (subscription_id, month, status, created_at, not_before) VALUES (@subscriptionId, @month, 'pending', @now, @heldUntil)
            ON CONFLICT (subscription_id, month) DO UPDATE SET not_before = excluded.not_before
            WHERE deliveries.status = 'pending' AND deliveries.attempts = 0
            """, new { subscriptionId, month, now = Now, heldUntil = Stamp(heldUntil) }, tx, cancellationToken: ct)) > 0;

    /// <summary>Makes a held delivery of a month due now (what held it is done); a retry keeps its back-off.</summary>
    public Task DueNowAsync(long subscriptionId, string month, CancellationToken ct) =>
        Execute("UPDATE deliveries SET not_before = @now WHERE subscription_id = @subscriptionId AND month = @month AND status = 'pending' AND attempts = 0",
            new { subscriptionId, month, now = Now }, ct);

    /// <summary>
    /// Claims up to <paramref name="batch"/> deliveries for this instance: pending ones that are due, and ones another
    /// instance claimed but did not finish within <paramref name="claimTimeout"/> (it crashed or was killed).
    /// </summary>
    /// <param name="instance">The claimant.</param>
    /// <param name="batch">How many at most.</param>
    /// <param name="claimTimeout">How old another claim must be to be taken over.</param>
    /// <param name="ct">Cancellation.</param>
    /// <param name="platforms">Only deliveries to these platforms (those this instance may send to now); null: all.</param>
    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(string instance, int batch, TimeSpan claimTimeout, CancellationToken ct,
        IReadOnlyCollection<Platform>? platforms = null)
    {
        var now = time.GetUtcNow();
        var keys = platforms?.Select(p => p.Key).ToArray();
        var onPlatforms = keys is null ? "" : $"AND COALESCE(s.platform, f.platform, w.platform) {db.In("keys")}";
        await using var c = await db.OpenAsync(ct);
        // Digests go to active subscriptions, notices to active follows and watches: a paused chat's rows wait, untouched.
        var claimed = (await c.QueryAsync<Delivery>(new CommandDefinition($"""
            UPDATE deliveries SET status = 'sending', claimed_by = @instance, claimed_at = @now, attempts = attempts + 1
            WHERE id IN (
                SELECT d.id FROM deliveries d
                LEFT JOIN subscriptions s ON s.id = d.subscription_id
                LEFT JOIN follows f ON f.id = d.follow_id
                LEFT JOIN watches w ON w.id = d.watch_id
                WHERE (s.status = 'active' OR f.status = 'active' OR w.status = 'active') {onPlatforms}
                  AND ((d.status = 'pending' AND (d.not_before IS NULL OR d.not_before <= @now))
                       OR (d.status = 'sending' AND d.claimed_at < @stale))
                ORDER BY d.id LIMIT @batch {(db.SkipLocked.Length > 0 ? "FOR UPDATE OF d SKIP LOCKED" : "")})
            RETURNING id, kind, subscription_id, month, follow_id, watch_id, payload, status, parts_sent, attempts, last_error
            """, new { instance, now = Stamp(now), stale = Stamp(now - claimTimeout), batch, keys }, cancellationToken: ct))).ToList();
        if (claimed.Count == 0)
            return [];
        // A notice goes to its follow's or watch's chat, shaped as a subscription so that one send path serves all three.
        var subs = await ChatsAsync("*", "subscriptions", claimed.Select(d => d.SubscriptionId));
        var follows = await ChatsAsync("id, platform, chat_id, thread_id, lang, status", "follows", claimed.Select(d => d.FollowId));
        var watches = await ChatsAsync("id, platform, chat_id, thread_id, lang, status", "watches", claimed.Select(d => d.WatchId));
        return [.. claimed.OrderBy(d => d.Id).Select(d => new ClaimedDelivery(d,
            d.FollowId is { } f ? follows[f] : d.WatchId is { } w ? watches[w] : subs[d.SubscriptionId!.Value]))];

        async Task<Dictionary<long, Subscription>> ChatsAsync(string columns, string table, IEnumerable<long?> ofRows)
        {
            var ids = ofRows.OfType<long>().Distinct().ToArray();
            return ids.Length == 0 ? [] : (await c.QueryAsync<Subscription>(new CommandDefinition(
                $"SELECT {columns} FROM {table} WHERE id {db.In("ids")}", new { ids }, cancellationToken: ct))).ToDictionary(s => s.Id);
        }
    }

    /// <summary>Claims held now (not yet stale), by holder, with how many each holds and when the newest was made.</summary>
    public async Task<IReadOnlyList<(string Holder, int Count, DateTimeOffset Newest)>> HeldClaimsAsync(TimeSpan claimTimeout, CancellationToken ct)
    {
        var stale = Stamp(time.GetUtcNow() - claimTimeout);
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(string Holder, long Count, string Newest)>(new CommandDefinition("""
            SELECT claimed_by, COUNT(*), MAX(claimed_at) FROM deliveries
            WHERE status = 'sending' AND claimed_at >= @stale AND claimed_by IS NOT NULL
            GROUP BY claimed_by
            """, new { stale }, cancellationToken: ct));
        return [.. rows.Select(r => (r.Holder, (int)r.Count, DateTimeOffset.Parse(r.Newest, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)))];
    }

    /// <summary>
    /// Puts a dead holder's claims back in the queue at once, keeping the parts already sent and not counting the
    /// attempt the holder never finished; returns how many.
    /// </summary>
    public async Task<int> ReleaseClaimsOfAsync(string holder, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition("""
            UPDATE deliveries SET status = 'pending', claimed_by = NULL, claimed_at = NULL, attempts = attempts - 1
            WHERE status = 'sending' AND claimed_by = @holder
            """, new { holder }, cancellationToken: ct));
    }

    /// <summary>
    /// Renews this instance's claim just before sending; false when another instance has taken the delivery over
    /// (this one was too slow to reach it), which must then not be sent from here.
    /// </summary>
    public async Task<bool> RenewClaimAsync(long id, string instance, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            "UPDATE deliveries SET claimed_at = @now WHERE id = @id AND claimed_by = @instance AND status = 'sending'",
            new { id, instance, now = Now }, cancellationToken: ct)) > 0;
    }

    public Task MarkPartsSentAsync(long id, int parts, CancellationToken ct) =>
        Execute("UPDATE deliveries SET parts_sent = @parts, claimed_at = @now WHERE id = @id", new { id, parts, now = Now }, ct);

    public Task MarkSentAsync(long id, CancellationToken ct) =>
        Execute("UPDATE deliveries SET status = 'sent', sent_at = @now, last_error = NULL WHERE id = @id", new { id, now = Now }, ct);

    public Task MarkSkippedAsync(long id, CancellationToken ct) =>
        Execute("UPDATE deliveries SET status = 'skipped', sent_at = @now WHERE id = @id", new { id, now = Now }, ct);

    public Task MarkFailedAsync(long id, string error, CancellationToken ct) =>
        Execute("UPDATE deliveries SET status = 'failed', last_error = @error WHERE id = @id", new { id, error, now = Now }, ct);

    /// <summary>Puts a delivery back in the queue, due again at <paramref name="notBefore"/>.</summary>
    public Task RetryLaterAsync(long id, string? error, DateTimeOffset notBefore, CancellationToken ct) =>
        Execute("UPDATE deliveries SET status = 'pending', last_error = @error, not_before = @notBefore, claimed_by = NULL WHERE id = @id",
            new { id, error, notBefore = Stamp(notBefore) }, ct);

    public async Task<DeliveryCounts> CountsAsync(string? month, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = (await c.QueryAsync<(string Status, long Count)>(new CommandDefinition(
            "SELECT status, COUNT(*) FROM deliveries WHERE (CAST(@month AS TEXT) IS NULL OR month = @month) GROUP BY status", new { month }, cancellationToken: ct)))
            .ToDictionary(r => r.Status, r => (int)r.Count);
        return new DeliveryCounts(rows.GetValueOrDefault(DeliveryStatus.Pending), rows.GetValueOrDefault(DeliveryStatus.Sending),
            rows.GetValueOrDefault(DeliveryStatus.Sent), rows.GetValueOrDefault(DeliveryStatus.Failed), rows.GetValueOrDefault(DeliveryStatus.Skipped));
    }

    public Task<string?> GetStateAsync(string key, CancellationToken ct) => db.StateAsync(key, ct);

    public async Task SetStateAsync(string key, string value, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await Database.SetStateAsync(c, null, key, value, ct);
    }

    private async Task Execute(string sql, object args, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(sql, args, cancellationToken: ct));
    }
}

/// <summary>Stores a <see cref="Platform"/> as its key, the text the column has always held.</summary>
internal sealed class PlatformHandler : SqlMapper.TypeHandler<Platform>
{
    public override void SetValue(System.Data.IDbDataParameter parameter, Platform value)
    {
        parameter.DbType = System.Data.DbType.String;
        parameter.Value = value.Key;
    }

    public override Platform Parse(object value) => new((string)value);
}
