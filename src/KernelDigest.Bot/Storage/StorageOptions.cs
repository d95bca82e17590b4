using System.ComponentModel.DataAnnotations;

namespace KernelDigest.Bot.Storage;

public enum StorageProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Where subscriptions, deliveries and platform state are kept.</summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string SectionName = "Storage";

    /// <summary><c>sqlite</c> (default, a file under <see cref="DataDirectory"/>) or <c>postgres</c> (env <c>Storage__Provider</c>).</summary>
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>Required for PostgreSQL (env <c>Storage__ConnectionString</c>); for SQLite, overrides the default file.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The folder for the SQLite file and other local state (env <c>Storage__DataDirectory</c>).</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>How often storage is checked to be writable (env <c>Storage__ProbeInterval</c>); see <c>StorageProbe</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider == StorageProvider.Postgres && string.IsNullOrWhiteSpace(ConnectionString))
            yield return new ValidationResult("Storage:ConnectionString is required when Storage:Provider is postgres (env Storage__ConnectionString, e.g. 'Host=db;Username=bot;Password=…;Database=kerneldigest').", [nameof(ConnectionString)]);
    }

    public string SqliteConnectionString =>
        !string.IsNullOrWhiteSpace(ConnectionString)
            ? ConnectionString
            // Foreign keys on; a 10 s wait on a locked file lets two processes (a CLI run beside the bot) share it.
            : $"Data Source={Path.Combine(Path.GetFullPath(DataDirectory), "kerneldigest.db")};Pooling=True;Foreign Keys=True;Default Timeout=10";
}
