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
        builder.Services.AddSingleton<Leases>();
        builder.Services.AddSingleton<StorageStatus>();
        builder.Services.AddHostedService<DatabaseMigrator>();
        builder.Services.AddHostedService<StorageProbe>();
        return builder;
    }
}
