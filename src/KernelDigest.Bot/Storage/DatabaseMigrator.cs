namespace KernelDigest.Bot.Storage;

/// <summary>Applies schema migrations at start; registered first so every later service finds its tables.</summary>
internal sealed class DatabaseMigrator(Database db) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => db.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
