namespace KernelDigest.Bot.Storage;

/// <summary>
/// Applies schema migrations at start; registered first so every later service finds its tables. A SQLite file that
/// cannot be written at start (locked by another process, a read-only or full data folder) does not stop the bot: a
/// stop would only make a service manager restart it into the same fault. The bot starts, serves what needs no
/// storage, and <see cref="StorageProbe"/> migrates once the fault is gone. PostgreSQL stays strict: cluster mode's
/// schedule lives there too.
/// </summary>
internal sealed partial class DatabaseMigrator(Database db, StorageStatus status, ILogger<DatabaseMigrator> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await db.MigrateAsync(cancellationToken);
            status.MarkMigrated();
        }
        catch (Exception ex) when (db.Provider == StorageProvider.Sqlite && StorageFault.Is(ex))
        {
            var problem = $"{db.Describe()} cannot be written at start: {ex.Message}";
            status.Set(problem);
            LogNotMigrated(problem);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage fault: {Problem}. Starting without it: the bot answers what needs no storage and migrates once it can write (/health/ready names the fault)")]
    private partial void LogNotMigrated(string problem);
}
