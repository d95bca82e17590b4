using System.Security.Cryptography;
using System.Text;
using Dapper;
using KernelDigest.Bot.Storage;
using KernelDigest.Core.Commands;

namespace KernelDigest.Bot.Follows;

/// <summary>
/// Watches, the poller's position per (inbox, query) and the message ids it has seen there, over Dapper on SQLite or
/// PostgreSQL. A poll's findings, the notices they owe and the new position are written in one transaction, so a
/// crash either keeps all of them or none: nothing is repeated and nothing is missed.
/// </summary>
public sealed class WatchStore(Database db, TimeProvider time)
{
    private string Now => Database.Stamp(time.GetUtcNow());

    private static string CursorKey(WatchedQuery q) => "watches:cursor:" + q.Inbox + "|" + q.Query;

    /// <summary>
    /// Makes the chat watch the query. Null when the chat already watches <paramref name="max"/>; <c>Created</c>
    /// false when it already watched this one. What lore showed of the query until now (<paramref name="baseline"/>)
    /// is this watch's own and never posted to it. A query no chat watched until now (never, or not since its last
    /// /unwatch) starts its position now: it is not read back to where it stood before.
    /// </summary>
    public async Task<(WatchRow Watch, bool Created)?> AddAsync(ChatAddress chat, string lang, WatchedQuery query, string? createdBy, int max,
        IReadOnlyCollection<string> baseline, CancellationToken ct)
    {
        var now = Now;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var args = new { platform = chat.Platform, chatId = chat.ChatId, threadId = chat.ThreadId ?? "", lang, query.Inbox, query.Query, createdBy, now };
        var existing = await c.QuerySingleOrDefaultAsync<WatchRow>(new CommandDefinition("""
            SELECT * FROM watches WHERE platform = @platform AND chat_id = @chatId AND thread_id = @threadId AND inbox = @Inbox AND query = @Query
            """, args, tx, cancellationToken: ct));
        if (existing is { Status: FollowStatus.Active })
            return (existing, false);
        var count = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM watches WHERE platform = @platform AND chat_id = @chatId AND thread_id = @threadId AND status <> 'removed'", args, tx, cancellationToken: ct));
        if (count >= max)
            return null;
        var polled = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM watches WHERE inbox = @Inbox AND query = @Query AND status = 'active'", args, tx, cancellationToken: ct));
        if (polled == 0)
        {
            await Database.SetStateAsync(c, tx, CursorKey(query), now, ct);
        }
        var row = await c.QuerySingleAsync<WatchRow>(new CommandDefinition("""
            INSERT INTO watches (platform, chat_id, thread_id, lang, inbox, query, status, baseline, created_by, created_at)
            VALUES (@platform, @chatId, @threadId, @lang, @Inbox, @Query, 'active', @baseline, @createdBy, @now)
            ON CONFLICT (platform, chat_id, thread_id, inbox, query) DO UPDATE SET status = 'active', paused_reason = NULL,
                lang = excluded.lang, baseline = excluded.baseline, created_at = excluded.created_at
            RETURNING *
            """, new { args.platform, args.chatId, args.threadId, lang, query.Inbox, query.Query, baseline = string.Join('\n', baseline), createdBy, now },
            tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return (row, true);
    }

    /// <summary>The chat's watches (not removed), oldest first: /watches numbers them in this order.</summary>
    public async Task<IReadOnlyList<WatchRow>> ListAsync(ChatAddress chat, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return [.. await c.QueryAsync<WatchRow>(new CommandDefinition("""
            SELECT * FROM watches WHERE platform = @platform AND chat_id = @chatId AND thread_id = @threadId AND status <> 'removed' ORDER BY id
            """, new { platform = chat.Platform, chatId = chat.ChatId, threadId = chat.ThreadId ?? "" }, cancellationToken: ct))];
    }

    public async Task<bool> RemoveAsync(long watchId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            "UPDATE watches SET status = 'removed' WHERE id = @watchId AND status <> 'removed'", new { watchId }, cancellationToken: ct)) > 0;
    }

    /// <summary>The queries the poller must read: those some chat watches.</summary>
    public async Task<IReadOnlyList<WatchedQuery>> ActiveQueriesAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return [.. await c.QueryAsync<WatchedQuery>(new CommandDefinition(
            "SELECT DISTINCT inbox, query FROM watches WHERE status = 'active' ORDER BY inbox, query", cancellationToken: ct))];
    }

    public Task<DateTimeOffset?> CursorAsync(WatchedQuery query, CancellationToken ct) => db.StampStateAsync(CursorKey(query), ct);

    /// <summary>
    /// Writes what a poll of one query found: the matches not seen before become one notice per active watch of it
    /// (unique per watch and batch), all of them become seen, and the position moves on. Returns the notices owed.
    /// Seen ids older than <paramref name="forget"/> are dropped: the overlap re-reads no further back.
    /// </summary>
    public async Task<int> ApplyPollAsync(WatchedQuery query, IReadOnlyList<WatchMatch> matches, IReadOnlyCollection<string> read,
        DateTimeOffset cursor, TimeSpan forget, CancellationToken ct)
    {
        var now = Now;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in matches.Select(m => m.MessageId).Chunk(500))
        {
            seen.UnionWith(await c.QueryAsync<string>(new CommandDefinition(
                $"SELECT message_id FROM watch_seen WHERE inbox = @Inbox AND query = @Query AND message_id {db.In("chunk")}",
                new { query.Inbox, query.Query, chunk }, tx, cancellationToken: ct)));
        }
        var fresh = matches.Where(m => seen.Add(m.MessageId)).ToList();
        await SeenAsync(c, tx, query, read, now, ct);
        var notices = 0;
        // Each watch gets the fresh matches but those in its own baseline (what lore showed at its /watch, which a
        // poll may still see as fresh when another chat watched the query first); the baseline is spent then.
        var watchers = await c.QueryAsync<(long Id, string? Baseline)>(new CommandDefinition(
            "SELECT id, baseline FROM watches WHERE inbox = @Inbox AND query = @Query AND status = 'active'", new { query.Inbox, query.Query }, tx, cancellationToken: ct));
        foreach (var (id, baseline) in watchers)
        {
            var before = baseline is null ? [] : baseline.Split('\n').ToHashSet(StringComparer.Ordinal);
            var mine = fresh.Where(m => !before.Contains(m.MessageId)).ToList();
            if (mine.Count > 0)
            {
                var batch = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', mine.Select(m => m.MessageId)))))[..16];
                var notice = new FollowNotice
                {
                    Kind = NoticeKind.Watch,
                    Title = query.Query,
                    Author = "",
                    Label = "",
                    Url = "",
                    Query = query.Query,
                    Matches = [.. mine.Select(m => m.Series)],
                };
                notices += await c.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO deliveries (kind, watch_id, dedupe_key, payload, status, created_at)
                    VALUES ('notice', @id, @key, @payload, 'pending', @now)
                    ON CONFLICT (dedupe_key) DO NOTHING
                    """, new { id, key = $"w{id}:{batch}", payload = notice.ToJson(), now }, tx, cancellationToken: ct));
            }
            if (baseline is not null)
                await c.ExecuteAsync(new CommandDefinition("UPDATE watches SET baseline = NULL WHERE id = @id", new { id }, tx, cancellationToken: ct));
        }
        await Database.SetStateAsync(c, tx, CursorKey(query), Database.Stamp(cursor), ct);
        await c.ExecuteAsync(new CommandDefinition("DELETE FROM watch_seen WHERE inbox = @Inbox AND query = @Query AND seen_at < @old",
            new { query.Inbox, query.Query, old = Database.Stamp(time.GetUtcNow() - forget) }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return notices;
    }

    private static async Task SeenAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, WatchedQuery query,
        IEnumerable<string> ids, string now, CancellationToken ct)
    {
        // A message seen again is seen now: the overlap keeps re-reading it until it is older than the overlap.
        foreach (var chunk in ids.Distinct(StringComparer.Ordinal).Chunk(200))
        {
            await c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO watch_seen (inbox, query, message_id, seen_at) VALUES (@Inbox, @Query, @m, @now)
                ON CONFLICT (inbox, query, message_id) DO UPDATE SET seen_at = excluded.seen_at
                """, chunk.Select(m => new { query.Inbox, query.Query, m, now }), tx, cancellationToken: ct));
        }
    }
}
