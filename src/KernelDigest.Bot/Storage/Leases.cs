using System.Globalization;
using Dapper;

namespace KernelDigest.Bot.Storage;

/// <summary>
/// Named leases in the database: what one instance of a cluster does at a time. A holder renews its lease well within
/// the lease's length; one that stops renewing (it crashed, or lost the database) loses it when it expires, and
/// another instance takes it. Each take or renewal is one statement, so two instances never both hold a lease.
/// </summary>
public sealed class Leases(Database db, TimeProvider time)
{
    /// <summary>Takes the lease, or renews it if this holder has it; false while another holder's lease runs.</summary>
    public async Task<bool> TryAcquireAsync(string name, string holder, TimeSpan length, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        var got = await c.ExecuteScalarAsync<string?>(new CommandDefinition("""
            INSERT INTO leases (name, holder, expires_at) VALUES (@name, @holder, @expires)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE leases.holder = excluded.holder OR leases.expires_at < @now
            RETURNING holder
            """, new { name, holder, expires = Database.Stamp(now + length), now = Database.Stamp(now) }, cancellationToken: ct));
        return got == holder;
    }

    /// <summary>Gives the lease up at once (a clean stop), so another instance need not wait for it to expire.</summary>
    public async Task ReleaseAsync(string name, string holder, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("DELETE FROM leases WHERE name = @name AND holder = @holder", new { name, holder }, cancellationToken: ct));
    }

    /// <summary>Who holds the lease and until when; null when nobody does.</summary>
    public async Task<(string Holder, DateTimeOffset Until)?> HolderAsync(string name, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<(string Holder, string ExpiresAt)?>(new CommandDefinition(
            "SELECT holder, expires_at FROM leases WHERE name = @name", new { name }, cancellationToken: ct));
        return row is { } r ? (r.Holder, DateTimeOffset.Parse(r.ExpiresAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)) : null;
    }
}
