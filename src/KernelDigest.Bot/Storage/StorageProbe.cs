using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace KernelDigest.Bot.Storage;

/// <summary>
/// Checks every <see cref="StorageOptions.ProbeInterval"/> that storage can be written, the way the bot writes it: a
/// small file written, flushed to disk and deleted in the data folder (a full disk, a read-only mount), and on SQLite
/// the database's write lock taken and let go (another process holding it). A fault is logged once when it appears
/// and once when it is gone, and shown by /health/ready meanwhile. A schema not migrated at start (the fault was
/// there already) is migrated on the first probe that finds storage usable, so the bot recovers without a restart.
/// </summary>
public sealed partial class StorageProbe(
    Database db,
    StorageStatus status,
    IOptions<StorageOptions> options,
    TimeProvider time,
    ILogger<StorageProbe> logger) : BackgroundService
{
    private const int ProbeBytes = 64 * 1024; // a few pages: a full disk refuses it even with a little slack left

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ProbeInterval, time);
        do
        {
            await ProbeAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One probe: find what keeps storage from being written, migrate if that was put off, log a change.</summary>
    internal async Task ProbeAsync(CancellationToken ct)
    {
        var problem = await FolderProblemAsync(ct) ?? await DatabaseProblemAsync(ct);
        if (problem is null && !status.IsMigrated)
        {
            try
            {
                await db.MigrateAsync(ct);
                status.MarkMigrated();
                LogMigratedLate();
            }
            catch (Exception ex) when (StorageFault.Is(ex))
            {
                problem = $"{db.Describe()}: migrations failed: {ex.Message}";
            }
        }
        if (status.Set(problem))
        {
            if (problem is null)
                LogRecovered(db.Describe());
            else
                LogFault(problem);
        }
    }

    private async Task<string?> FolderProblemAsync(CancellationToken ct)
    {
        if (db.Provider != StorageProvider.Sqlite)
            return null;
        var folder = Path.GetFullPath(options.Value.DataDirectory);
        var probe = Path.Combine(folder, ".write-probe");
        try
        {
            Directory.CreateDirectory(folder);
            await using (var file = new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
            {
                await file.WriteAsync(new byte[ProbeBytes], ct);
                file.Flush(flushToDisk: true);
            }
            File.Delete(probe);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(probe);
            return $"data folder {folder} cannot be written: {ex.Message}";
        }
    }

    private async Task<string?> DatabaseProblemAsync(CancellationToken ct)
    {
        try
        {
            await using var connection = await db.OpenAsync(ct);
            if (db.Provider == StorageProvider.Sqlite)
            {
                // The write lock, with a short wait: the bot's own writers hold it for milliseconds, another process's
                // open transaction for as long as it likes. One statement per command, and the driver's own timeout
                // too: given as one batch, a BEGIN that stayed busy came back as a success.
                await connection.ExecuteAsync("PRAGMA busy_timeout=1000");
                await connection.ExecuteAsync(new CommandDefinition("BEGIN IMMEDIATE", commandTimeout: 2, cancellationToken: ct));
                await connection.ExecuteAsync("ROLLBACK");
            }
            else
            {
                await connection.ExecuteAsync("SELECT 1");
            }
            return null;
        }
        catch (Exception ex) when (StorageFault.Is(ex))
        {
            return ex is SqliteException { SqliteErrorCode: 5 or 6 } // SQLITE_BUSY, SQLITE_LOCKED
                ? $"{db.Describe()} is locked by another process (its write lock was not free within 2 s): {ex.Message}"
                : $"{db.Describe()} cannot be written: {ex.Message}";
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A read-only folder cannot hold the probe either; nothing to clean up then.
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage fault: {Problem}. The bot keeps answering what needs no storage; subscriptions and deliveries wait until it is fixed (/health/ready names it)")]
    private partial void LogFault(string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage usable again: {Database}")]
    private partial void LogRecovered(string database);

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage: the schema is migrated now that storage can be written")]
    private partial void LogMigratedLate();
}

/// <summary>The exceptions that mean storage is faulty (unreachable, locked, full, read-only), not that the code is wrong.</summary>
internal static class StorageFault
{
    public static bool Is(Exception ex) =>
        ex is System.Data.Common.DbException or IOException or UnauthorizedAccessException or TimeoutException;
}
