using Microsoft.Extensions.Options;

namespace KernelDigest.Bot.Storage;

public static class StorageSetup
{
    /// <summary>The database (SQLite by default, PostgreSQL by configuration), migrated before anything else starts.</summary>
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => new Database(sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        builder.Services.AddHostedService<DatabaseMigrator>();
        return builder;
    }
}

/// <summary>Applies schema migrations at start; registered first so every later service finds its tables.</summary>
internal sealed class DatabaseMigrator(Database db) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => db.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
