using Dapper;
using KernelDigest.Bot.Storage;
using KernelDigest.Bot.Subscriptions;
using KernelDigest.Core.Commands;

namespace KernelDigest.Bot.Follows;

/// <summary>A new version seen by the poller, and the notice every chat following the series is owed.</summary>
public sealed record VersionEvent(long SeriesId, int Revision, string Label, string MessageId, string Url, DateTimeOffset Date, int Patches, FollowNotice Notice);

/// <summary>An "applied" reply seen by the poller, and its notice.</summary>
public sealed record AppliedEvent(long SeriesId, string Detail, string Url, DateTimeOffset Date, FollowNotice Notice);

/// <summary>What one poll of one inbox found: applied together with the inbox's new position, or not at all.</summary>
public sealed record PollFindings
{
    public List<VersionEvent> Versions { get; } = [];
    public List<AppliedEvent> Applied { get; } = [];
    public List<(long SeriesId, string MessageId)> Messages { get; } = [];
    public Dictionary<long, DateTimeOffset> Activity { get; } = [];
}

/// <summary>
/// Series, follows and the poller's positions, over Dapper on SQLite or PostgreSQL. What a poll found is written in
/// one transaction with the inbox's new position, so a crash either keeps both or neither: nothing is repeated and
/// nothing is missed. Notices are outbox rows (<see cref="DeliveryKind.Notice"/>) with a unique dedupe key.
/// </summary>
public sealed class FollowStore(Database db, TimeProvider time)
{
    private string Now => Database.Stamp(time.GetUtcNow());

    private static string CursorKey(string inbox) => "follows:cursor:" + inbox;

    /// <summary>Stores a series as lore shows it now; an older view never overwrites a newer one. Returns its id.</summary>
    public async Task<long> UpsertSeriesAsync(TrackedSeries s, IEnumerable<string> messageIds, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var id = await c.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO series (inbox, series_key, subject_key, title, author_name, author_email, latest_revision, latest_label,
                latest_message_id, latest_url, latest_at, patches, applied_detail, applied_url, applied_at, last_activity)
            VALUES (@Inbox, @SeriesKey, @SubjectKey, @Title, @AuthorName, @AuthorEmail, @LatestRevision, @LatestLabel,
                @LatestMessageId, @LatestUrl, @LatestAt, @Patches, @AppliedDetail, @AppliedUrl, @AppliedAt, @LastActivity)
            ON CONFLICT (inbox, series_key) DO UPDATE SET
                title = CASE WHEN excluded.latest_at >= series.latest_at THEN excluded.title ELSE series.title END,
                latest_revision = CASE WHEN excluded.latest_at >= series.latest_at THEN excluded.latest_revision ELSE series.latest_revision END,
                latest_label = CASE WHEN excluded.latest_at >= series.latest_at THEN excluded.latest_label ELSE series.latest_label END,
                latest_message_id = CASE WHEN excluded.latest_at >= series.latest_at THEN excluded.latest_message_id ELSE series.latest_message_id END,
                latest_url = CASE WHEN excluded.latest_at >= series.latest_at THEN excluded.latest_url ELSE series.latest_url END,
                patches = CASE WHEN excluded.latest_at >= series.latest_at THEN excluded.patches ELSE series.patches END,
                latest_at = CASE WHEN excluded.latest_at >= series.latest_at THEN excluded.latest_at ELSE series.latest_at END,
                applied_detail = COALESCE(series.applied_detail, excluded.applied_detail),
                applied_url = COALESCE(series.applied_url, excluded.applied_url),
                applied_at = COALESCE(series.applied_at, excluded.applied_at),
                last_activity = CASE WHEN excluded.last_activity > series.last_activity THEN excluded.last_activity ELSE series.last_activity END
            RETURNING id
            """, s, tx, cancellationToken: ct));
        foreach (var chunk in messageIds.Distinct(StringComparer.Ordinal).Chunk(200))
        {
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO series_messages (series_id, message_id) VALUES (@id, @m) ON CONFLICT DO NOTHING",
                chunk.Select(m => new { id, m }), tx, cancellationToken: ct));
        }
        await tx.CommitAsync(ct);
        return id;
    }

    public async Task<TrackedSeries?> GetSeriesAsync(long id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<TrackedSeries>(new CommandDefinition("SELECT * FROM series WHERE id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>
    /// Makes the chat follow the series (again, after /unfollow). Null when the chat already follows
    /// <paramref name="max"/> series; <c>Created</c> false when it already followed this one.
    /// </summary>
    public async Task<(FollowRow Follow, bool Created)?> FollowAsync(ChatAddress chat, string lang, long seriesId, string? createdBy, int max, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var args = new { platform = chat.Platform, chatId = chat.ChatId, threadId = chat.ThreadId ?? "", lang, seriesId, createdBy, now = Now };
        var existing = await c.QuerySingleOrDefaultAsync<FollowRow>(new CommandDefinition(
            "SELECT * FROM follows WHERE platform = @platform AND chat_id = @chatId AND thread_id = @threadId AND series_id = @seriesId", args, cancellationToken: ct));
        if (existing is { Status: FollowStatus.Active })
            return (existing, false);
        var count = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM follows WHERE platform = @platform AND chat_id = @chatId AND thread_id = @threadId AND status <> 'removed'", args, cancellationToken: ct));
        if (count >= max)
            return null;
        var row = await c.QuerySingleAsync<FollowRow>(new CommandDefinition("""
            INSERT INTO follows (platform, chat_id, thread_id, lang, series_id, status, created_by, created_at)
            VALUES (@platform, @chatId, @threadId, @lang, @seriesId, 'active', @createdBy, @now)
            ON CONFLICT (platform, chat_id, thread_id, series_id) DO UPDATE SET status = 'active', paused_reason = NULL,
                lang = excluded.lang, created_at = excluded.created_at
            RETURNING *
            """, args, cancellationToken: ct));
        return (row, true);
    }

    /// <summary>The chat's follows (not removed) with their series, oldest first: /following numbers them in this order.</summary>
    public async Task<IReadOnlyList<FollowRow>> ListAsync(ChatAddress chat, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return [.. await c.QueryAsync<FollowRow>(new CommandDefinition("""
            SELECT f.id, f.platform, f.chat_id, f.thread_id, f.lang, f.series_id, f.status, f.created_at,
                   s.title, s.inbox, s.latest_label, s.latest_url, s.latest_message_id, s.applied_at, s.last_activity
            FROM follows f JOIN series s ON s.id = f.series_id
            WHERE f.platform = @platform AND f.chat_id = @chatId AND f.thread_id = @threadId AND f.status <> 'removed'
            ORDER BY f.id
            """, new { platform = chat.Platform, chatId = chat.ChatId, threadId = chat.ThreadId ?? "" }, cancellationToken: ct))];
    }

    public async Task<bool> RemoveAsync(long followId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            "UPDATE follows SET status = 'removed' WHERE id = @followId AND status <> 'removed'", new { followId }, cancellationToken: ct)) > 0;
    }

    /// <summary>The chat cannot receive messages: its follows and watches wait (their notices stay in the outbox, unclaimed).</summary>
    public async Task<int> PauseChatAsync(Platform platform, string chatId, string? threadId, string reason, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var paused = 0;
        foreach (var table in new[] { "follows", "watches" })
        {
            paused += await c.ExecuteAsync(new CommandDefinition($"""
                UPDATE {table} SET status = 'paused', paused_reason = @reason
                WHERE platform = @platform AND chat_id = @chatId {(threadId is null ? "" : "AND thread_id = @threadId")} AND status = 'active'
                """, new { platform, chatId, threadId, reason }, cancellationToken: ct));
        }
        return paused;
    }

    /// <summary>A migrated Telegram group: its follows and watches go with it to the new id.</summary>
    public async Task MoveChatAsync(Platform platform, string oldChatId, string newChatId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("""
            UPDATE follows SET chat_id = @newChatId
            WHERE platform = @platform AND chat_id = @oldChatId
              AND NOT EXISTS (SELECT 1 FROM follows f2 WHERE f2.platform = @platform AND f2.chat_id = @newChatId
                              AND f2.thread_id = follows.thread_id AND f2.series_id = follows.series_id)
            """, new { platform, oldChatId, newChatId }, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition("""
            UPDATE watches SET chat_id = @newChatId
            WHERE platform = @platform AND chat_id = @oldChatId
              AND NOT EXISTS (SELECT 1 FROM watches w2 WHERE w2.platform = @platform AND w2.chat_id = @newChatId
                              AND w2.thread_id = watches.thread_id AND w2.inbox = watches.inbox AND w2.query = watches.query)
            """, new { platform, oldChatId, newChatId }, cancellationToken: ct));
    }

    /// <summary>The inboxes the poller must read: those of series that some chat follows.</summary>
    public async Task<IReadOnlyList<string>> ActiveInboxesAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return [.. await c.QueryAsync<string>(new CommandDefinition("""
            SELECT DISTINCT s.inbox FROM series s WHERE EXISTS (SELECT 1 FROM follows f WHERE f.series_id = s.id AND f.status = 'active')
            ORDER BY s.inbox
            """, cancellationToken: ct))];
    }

    /// <summary>The followed series of one inbox.</summary>
    public async Task<IReadOnlyList<TrackedSeries>> FollowedSeriesAsync(string inbox, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return [.. await c.QueryAsync<TrackedSeries>(new CommandDefinition("""
            SELECT * FROM series s WHERE s.inbox = @inbox AND EXISTS (SELECT 1 FROM follows f WHERE f.series_id = s.id AND f.status = 'active')
            """, new { inbox }, cancellationToken: ct))];
    }

    /// <summary>Which of these message ids belong to a followed series of the inbox, and to which.</summary>
    public async Task<Dictionary<string, long>> SeriesOfMessagesAsync(string inbox, IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        var found = new Dictionary<string, long>(StringComparer.Ordinal);
        if (ids.Count == 0)
            return found;
        await using var c = await db.OpenAsync(ct);
        foreach (var chunk in ids.Chunk(500))
        {
            var rows = await c.QueryAsync<(string MessageId, long SeriesId)>(new CommandDefinition(
                $"SELECT m.message_id, m.series_id FROM series_messages m JOIN series s ON s.id = m.series_id WHERE s.inbox = @inbox AND m.message_id {db.In("chunk")}",
                new { inbox, chunk }, cancellationToken: ct));
            foreach (var (m, s) in rows)
                found.TryAdd(m, s);
        }
        return found;
    }

    /// <summary>Where the poller is in an inbox: the newest message date it has taken in; null before the first follow.</summary>
    public Task<DateTimeOffset?> CursorAsync(string inbox, CancellationToken ct) => db.StampStateAsync(CursorKey(inbox), ct);

    /// <summary>Starts an inbox's position at <paramref name="at"/> unless it has one (the first follow there).</summary>
    public async Task StartCursorAsync(string inbox, DateTimeOffset at, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await Database.AddStateAsync(c, null, CursorKey(inbox), Database.Stamp(at), ct);
    }

    /// <summary>
    /// Writes what a poll found and the inbox's new position in one transaction. A version or "applied" owes notices
    /// only when it moves the series on (a re-read overlap changes nothing); each notice is unique per follow and
    /// event. Returns the number of notices owed.
    /// </summary>
    public async Task<int> ApplyPollAsync(string inbox, PollFindings findings, DateTimeOffset cursor, CancellationToken ct)
    {
        var now = Now;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var notices = 0;
        foreach (var chunk in findings.Messages.Chunk(200))
        {
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO series_messages (series_id, message_id) VALUES (@SeriesId, @MessageId) ON CONFLICT DO NOTHING",
                chunk.Select(m => new { m.SeriesId, m.MessageId }), tx, cancellationToken: ct));
        }
        foreach (var v in findings.Versions.OrderBy(v => v.Date))
        {
            var moved = await c.ExecuteAsync(new CommandDefinition("""
                UPDATE series SET latest_revision = @Revision, latest_label = @Label, latest_message_id = @MessageId, latest_url = @Url,
                    latest_at = @at, patches = @Patches
                WHERE id = @SeriesId AND latest_revision < @Revision
                """, new { v.SeriesId, v.Revision, v.Label, v.MessageId, v.Url, at = Database.Stamp(v.Date), v.Patches }, tx, cancellationToken: ct));
            if (moved == 0)
                continue;
            notices += await OweAsync(c, tx, v.SeriesId, "v:" + v.MessageId, v.Notice, now, ct);
        }
        foreach (var a in findings.Applied)
        {
            var moved = await c.ExecuteAsync(new CommandDefinition("""
                UPDATE series SET applied_detail = @Detail, applied_url = @Url, applied_at = @at WHERE id = @SeriesId AND applied_at IS NULL
                """, new { a.SeriesId, a.Detail, a.Url, at = Database.Stamp(a.Date) }, tx, cancellationToken: ct));
            if (moved == 0)
                continue;
            notices += await OweAsync(c, tx, a.SeriesId, "a", a.Notice, now, ct);
        }
        foreach (var (seriesId, at) in findings.Activity)
        {
            var stamp = Database.Stamp(at);
            await c.ExecuteAsync(new CommandDefinition(
                "UPDATE series SET last_activity = @stamp WHERE id = @seriesId AND last_activity < @stamp", new { seriesId, stamp }, tx, cancellationToken: ct));
        }
        await Database.SetStateAsync(c, tx, CursorKey(inbox), Database.Stamp(cursor), ct);
        await tx.CommitAsync(ct);
        return notices;
    }

    private static Task<int> OweAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, long seriesId, string eventKey, FollowNotice notice, string now, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO deliveries (kind, follow_id, dedupe_key, payload, status, created_at)
            SELECT 'notice', f.id, 'f' || CAST(f.id AS TEXT) || ':' || @eventKey, @payload, 'pending', @now
            FROM follows f WHERE f.series_id = @seriesId AND f.status = 'active'
            ON CONFLICT (dedupe_key) DO NOTHING
            """, new { seriesId, eventKey, payload = notice.ToJson(), now }, tx, cancellationToken: ct));

    /// <summary>The followed series (of any inbox) these message ids belong to, and every followed series' title.</summary>
    public async Task<(Dictionary<string, long> ByMessage, IReadOnlyList<(long Id, string Title)> Titles)> FollowedForReportAsync(
        IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        var byMessage = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var c = await db.OpenAsync(ct);
        const string Followed = "EXISTS (SELECT 1 FROM follows f WHERE f.series_id = s.id AND f.status = 'active')";
        foreach (var chunk in ids.Chunk(500))
        {
            var rows = await c.QueryAsync<(string MessageId, long SeriesId)>(new CommandDefinition(
                $"SELECT m.message_id, m.series_id FROM series_messages m JOIN series s ON s.id = m.series_id WHERE m.message_id {db.In("chunk")} AND {Followed}",
                new { chunk }, cancellationToken: ct));
            foreach (var (m, id) in rows)
                byMessage.TryAdd(m, id);
        }
        var titles = await c.QueryAsync<(long, string)>(new CommandDefinition($"SELECT s.id, s.title FROM series s WHERE {Followed}", cancellationToken: ct));
        return (byMessage, [.. titles]);
    }

    private static string ReportKey(string month) => "follows:report:" + month;

    /// <summary>The months already looked at for followed series (all of them, the first time: see <see cref="BaselineReportsAsync"/>).</summary>
    public async Task<HashSet<string>> ReportsCheckedAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var keys = await c.QueryAsync<string>(new CommandDefinition("SELECT key FROM bot_state WHERE key LIKE 'follows:report:%'", cancellationToken: ct));
        return [.. keys.Select(k => k["follows:report:".Length..])];
    }

    /// <summary>
    /// The first time the bot runs with follows, the months it already has are taken as looked at: a follow is about
    /// what comes next, not the archive. Returns false when this was done before.
    /// </summary>
    public async Task<bool> BaselineReportsAsync(IEnumerable<string> months, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var first = await Database.AddStateAsync(c, tx, "follows:reports-baseline", Now, ct);
        if (first)
        {
            foreach (var month in months)
                await Database.AddStateAsync(c, tx, ReportKey(month), Now, ct);
        }
        await tx.CommitAsync(ct);
        return first;
    }

    /// <summary>Owes each active follow of these series its "in the report" notice, and marks the month looked at, together.</summary>
    public async Task<int> OweReportAsync(string month, IReadOnlyList<(long SeriesId, FollowNotice Notice)> found, CancellationToken ct)
    {
        var now = Now;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var notices = 0;
        foreach (var (seriesId, notice) in found)
            notices += await OweAsync(c, tx, seriesId, "r:" + month, notice, now, ct);
        await Database.AddStateAsync(c, tx, ReportKey(month), now, ct);
        await tx.CommitAsync(ct);
        return notices;
    }

    /// <summary>Notices owed and their states, for tests and operators.</summary>
    public async Task<IReadOnlyList<(long FollowId, string Status, string Payload)>> NoticesAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return [.. await c.QueryAsync<(long, string, string)>(new CommandDefinition(
            "SELECT follow_id, status, payload FROM deliveries WHERE kind = 'notice' ORDER BY id", cancellationToken: ct))];
    }
}
