using KernelDigest.Core.Search;
using KernelDigest.Core.Subsystems;

namespace KernelDigest.Core.Reports;

/// <summary>
/// Everything loaded at one moment: the reports (newest first), the errors that kept files out, and the search index
/// built over them. Immutable, so a reload builds a new one and swaps it in while readers keep the old.
/// </summary>
public sealed class LibrarySnapshot(IReadOnlyList<Report> reports, IReadOnlyList<ReportError> errors, PatchIndex index)
{
    public IReadOnlyList<Report> Reports { get; } = [.. reports.OrderByDescending(r => r.Month)];
    public IReadOnlyList<ReportError> Errors { get; } = errors;
    public PatchIndex Index { get; } = index;

    public Report? Latest => Reports.Count > 0 ? Reports[0] : null;

    public Report? Find(ReportMonth month) => Reports.FirstOrDefault(r => r.Month == month);

    public IEnumerable<ReportMonth> Months => Reports.Select(r => r.Month);
}

/// <summary>
/// Loads the report files of a folder (one per month), validates them, and keeps the current
/// <see cref="LibrarySnapshot"/>. <see cref="Watch"/> reloads when a file is added, changed or removed.
/// Drafts (<c>status: draft</c>) are read and validated but left out of the snapshot, so no chat answer and no digest
/// can reach one; only <paramref name="includeDrafts"/> (the CLI's <c>ask --drafts</c>) lets them in.
/// </summary>
public sealed class ReportLibrary(string directory, SubsystemCatalog subsystems, PatchIndexFactory indexFactory, bool includeDrafts = false)
{
    private LibrarySnapshot? _current;
    private readonly Lock _reloadLock = new();

    public string Directory { get; } = Path.GetFullPath(directory);

    public SubsystemCatalog Subsystems { get; } = subsystems;

    /// <summary>The reports loaded last; loads them on first use.</summary>
    public LibrarySnapshot Current => Volatile.Read(ref _current) ?? FirstLoad();

    // The first readers wait for one load instead of each loading again.
    private LibrarySnapshot FirstLoad()
    {
        lock (_reloadLock)
            return Volatile.Read(ref _current) ?? Reload();
    }

    /// <summary>Raised after each reload with the new snapshot.</summary>
    public event Action<LibrarySnapshot>? Reloaded;

    /// <summary>Reads every <c>*.md</c> in the folder; a broken file is reported and skipped, the rest still load.</summary>
    public LibrarySnapshot Reload()
    {
        lock (_reloadLock)
        {
            var (all, errors) = ReadAll(Directory, Subsystems);
            var reports = includeDrafts ? all : [.. all.Where(r => !r.IsDraft)];
            var snapshot = new LibrarySnapshot(reports, errors, indexFactory.Open(reports));
            Volatile.Write(ref _current, snapshot);
            Reloaded?.Invoke(snapshot);
            return snapshot;
        }
    }

    /// <summary>Reads and validates every report file of a folder without building an index (the <c>check</c> command).</summary>
    public static (IReadOnlyList<Report> Reports, IReadOnlyList<ReportError> Errors) ReadAll(string directory, SubsystemCatalog subsystems)
    {
        var reports = new List<Report>();
        var errors = new List<ReportError>();
        if (!System.IO.Directory.Exists(directory))
        {
            errors.Add(new ReportError(directory, 0, "report folder not found"));
            return (reports, errors);
        }
        var files = System.IO.Directory.EnumerateFiles(directory, "*.md").Order(StringComparer.Ordinal).ToArray();
        // Parsing is most of a cold start with many months: read the files in parallel, then judge them in order.
        var results = new ReportReadResult[files.Length];
        Parallel.For(0, files.Length, i =>
        {
            try
            {
                results[i] = ReportMarkdown.Read(File.ReadAllText(files[i]), files[i], subsystems);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                results[i] = new ReportReadResult(null, [new ReportError(files[i], 0, $"cannot read: {ex.Message}")]);
            }
        });
        for (var i = 0; i < files.Length; i++)
        {
            var result = results[i];
            errors.AddRange(result.Errors);
            if (result.Report is not { } report)
                continue;
            if (reports.FirstOrDefault(r => r.Month == report.Month) is { } twin)
            {
                errors.Add(new ReportError(files[i], 1, $"month {report.Month} is already loaded from {Path.GetFileName(twin.SourcePath)}"));
                continue;
            }
            reports.Add(report);
        }
        return (reports, errors);
    }

    /// <summary>
    /// Reloads (debounced) whenever a report file changes, so a new month is served without a restart.
    /// Dispose the result to stop watching.
    /// </summary>
    public IDisposable Watch(Action<Exception>? onError = null, TimeSpan? debounce = null)
    {
        var delay = debounce ?? TimeSpan.FromMilliseconds(300);
        // A missing folder is already an error in the snapshot ("report folder not found"); there is nothing to watch.
        if (!System.IO.Directory.Exists(Directory))
            return new Watching(null, null);
        var watcher = new FileSystemWatcher(Directory, "*.md")
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            IncludeSubdirectories = false,
        };
        // Editors save in bursts (truncate, write, rename): wait for the burst to settle, then reload once.
        var timer = new Timer(_ =>
        {
            try
            {
                Reload();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                onError?.Invoke(ex);
            }
        });
        void Changed(object? sender, FileSystemEventArgs e)
        {
            try
            {
                timer.Change(delay, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // An event still in flight while the watch is disposed.
            }
        }
        watcher.Changed += Changed;
        watcher.Created += Changed;
        watcher.Deleted += Changed;
        watcher.Renamed += (s, e) => Changed(s, e);
        watcher.EnableRaisingEvents = true;
        return new Watching(watcher, timer);
    }

    private sealed class Watching(FileSystemWatcher? watcher, Timer? timer) : IDisposable
    {
        public void Dispose()
        {
            watcher?.Dispose();
            timer?.Dispose();
        }
    }
}
