namespace KernelDigest.Bot.Storage;

/// <summary>
/// Whether the bot's storage can be written now, as <see cref="StorageProbe"/> last found it, and whether the schema is
/// in place. Read by /health/ready; awaited by work that needs the tables (<see cref="Migrated"/>).
/// </summary>
public sealed class StorageStatus
{
    private readonly TaskCompletionSource _migrated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string? _problem;

    /// <summary>What keeps storage from being written, naming the file or folder and the cause; null when it works.</summary>
    public string? Problem => _problem;

    /// <summary>Completes once the migrations are applied (at start, or on the first probe that finds storage usable).</summary>
    public Task Migrated => _migrated.Task;

    public bool IsMigrated => _migrated.Task.IsCompleted;

    internal void MarkMigrated() => _migrated.TrySetResult();

    /// <summary>Sets the current problem; true when it differs from the last one (so a fault is logged once, not per probe).</summary>
    internal bool Set(string? problem)
    {
        var changed = !string.Equals(_problem, problem, StringComparison.Ordinal);
        _problem = problem;
        return changed;
    }
}
