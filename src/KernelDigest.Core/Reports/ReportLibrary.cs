using KernelDigest.Core.Search;
using KernelDigest.Core.Subsystems;

namespace KernelDigest.Core.Reports;

/// <summary>
/// Everything loaded at one moment: the reports (newest first), the errors that kept files out, and the search index
/// built over them. Immutable, so a reload builds a new one and swaps it in while readers keep the old.
/// </summary>
/// <param name="stale">
/// Reports served from the last good version of a file that is now broken (its errors are in <paramref name="errors"/>).
/// </param>
public sealed class LibrarySnapshot(IReadOnlyList<Report> reports, IReadOnlyList<ReportError> errors, PatchIndex index, IReadOnlyList<Report>? stale = null)
{
    public IReadOnlyList<Report> Reports { get; } = [.. reports.OrderByDescending(r => r.Month)];
    public IReadOnlyList<ReportError> Errors { get; } = errors;
    public PatchIndex Index { get; } = index;

    /// <summary>Months still served from the last version of their file that read cleanly, until the file is fixed.</summary>
    public IReadOnlyList<Report> Stale { get; } = stale ?? [];

    public Report? Latest => Reports.Count > 0 ? Reports[0] : null;

    public Report? Find(ReportMonth month) => Reports.FirstOrDefault(r => r.Month == month);

    public IEnumerable<ReportMonth> Months => Reports.Select(r => r.Month);
}

/// <summary>
/// Loads the report files of a folder (one per month), validates them, and keeps the current
/// <see cref="LibrarySnapshot"/>. <see cref="Watch"/> reloads when a file is added, changed or removed.
/// Drafts (<c>status: draft</c>) are read and validated but left out of the snapshot, so no chat answer and no digest
/// can reach one; only <paramref name="includeDrafts"/> (the CLI's <c>ask --drafts</c>) lets them in.
/// A file that read cleanly once and is broken now (saved half-written, replaced mid-read, bad bytes) keeps its last good
/// version in service, beside its errors, until it is fixed or deleted: an editor's slip never takes a month away.
/// </summary>
public sealed class ReportLibrary(string directory, SubsystemCatalog subsystems, PatchIndexFactory indexFactory, bool includeDrafts = false)
{
    /// <summary>
    /// Files over this size are refused unread: a month's report is tens of kilobytes, and a huge file (a log pasted in,
    /// a mistaken copy) would cost memory and a slow index for every month.
    /// </summary>
    public const long MaxFileBytes = 4 * 1024 * 1024;

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private LibrarySnapshot? _current;
    private readonly Lock _reloadLock = new();
    private Dictionary<string, Report> _lastGood = new(StringComparer.Ordinal); // by file path, under _reloadLock
    private string _listing = ""; // the folder as the last load found it, before reading (see Watch)

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
            // Taken before reading: a file saved during the read differs from it, and the next check loads again.
            Volatile.Write(ref _listing, Listing(Directory));
            var (read, errors) = ReadAll(Directory, Subsystems);
            var all = read.ToList();
            var broken = errors.Select(e => e.File).ToHashSet(StringComparer.Ordinal);
            var stale = new List<Report>();
            foreach (var (path, good) in _lastGood)
            {
                // Still there, broken now, and its month not taken by another file meanwhile: serve what it was.
                if (broken.Contains(path) && File.Exists(path) && !all.Any(r => r.SourcePath == path || r.Month == good.Month))
                    stale.Add(good);
            }
            all.AddRange(stale);
            _lastGood = all.Where(r => r.SourcePath is not null).ToDictionary(r => r.SourcePath!, StringComparer.Ordinal);
            var reports = includeDrafts ? all : [.. all.Where(r => !r.IsDraft)];
            var snapshot = new LibrarySnapshot(reports, errors, indexFactory.Open(reports), stale);
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
        var results = new ReportReadResult?[files.Length];
        Parallel.For(0, files.Length, i =>
        {
            try
            {
                var (text, error) = ReadText(files[i]);
                results[i] = error is null ? ReportMarkdown.Read(text!, files[i], subsystems) : new ReportReadResult(null, [error]);
            }
            catch (FileNotFoundException)
            {
                results[i] = null; // deleted since the folder was listed: gone, as it would be a moment later
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                results[i] = new ReportReadResult(null, [new ReportError(files[i], 0, $"cannot read: {ex.Message}")]);
            }
        });
        for (var i = 0; i < files.Length; i++)
        {
            var result = results[i];
            if (result is null)
                continue;
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
    /// A report file's text, or why it is refused: over <see cref="MaxFileBytes"/> (not read at all), or not UTF-8
    /// (located at the line of the first bad byte; a silent U+FFFD would put garbage in front of users instead).
    /// </summary>
    private static (string? Text, ReportError? Error) ReadText(string path)
    {
        var length = new FileInfo(path).Length;
        if (length > MaxFileBytes)
            return (null, TooLarge(path, length));
        var bytes = File.ReadAllBytes(path);
        if (bytes.LongLength > MaxFileBytes)
            return (null, TooLarge(path, bytes.LongLength)); // it grew while being read
        ReadOnlySpan<byte> content = bytes.AsSpan().StartsWith("\uFEFF"u8) ? bytes.AsSpan(3) : bytes;
        if (System.Text.Unicode.Utf8.IsValid(content))
            return (StrictUtf8.GetString(content), null);
        var at = 0;
        while (System.Text.Rune.DecodeFromUtf8(content[at..], out _, out var consumed) == System.Buffers.OperationStatus.Done)
            at += consumed;
        var line = content[..at].Count((byte)'\n') + 1;
        return (null, new ReportError(path, line, $"not valid UTF-8 (byte 0x{content[at]:X2}); save the file as UTF-8"));
    }

    private static ReportError TooLarge(string path, long length) =>
        new(path, 1, $"the file is {length / 1048576.0:0.#} MB, over the {MaxFileBytes / 1048576} MB a report may be; it was not read");

    /// <summary>
    /// Reloads (debounced) whenever a report file changes, so a new month is served without a restart. File events can
    /// be lost (the watcher's buffer overflows, the system's inotify limits are reached, a network or container mount
    /// sends none), so the folder's listing (names, sizes, times) is also checked every <paramref name="poll"/>
    /// (default a minute) against the one the last load read. Dispose the result to stop watching.
    /// </summary>
    /// <param name="onError">A reload that failed (the previous reports stay in service).</param>
    /// <param name="onWatcherError">The file watcher failed or could not start; the check of the listing goes on.</param>
    public IDisposable Watch(Action<Exception>? onError = null, TimeSpan? debounce = null, TimeSpan? poll = null, Action<Exception>? onWatcherError = null) =>
        Watch(onError, debounce ?? TimeSpan.FromMilliseconds(300), poll ?? TimeSpan.FromMinutes(1), onWatcherError, fileEvents: true);

    internal IDisposable Watch(Action<Exception>? onError, TimeSpan debounce, TimeSpan poll, Action<Exception>? onWatcherError, bool fileEvents)
    {
        // Editors save in bursts (truncate, write, rename): wait for the burst to settle, then reload once.
        var reload = new Timer(_ =>
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
        void Soon()
        {
            try
            {
                reload.Change(debounce, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // An event still in flight while the watch is disposed.
            }
        }
        var check = new Timer(_ =>
        {
            if (!string.Equals(Listing(Directory), Volatile.Read(ref _listing), StringComparison.Ordinal))
                Soon();
        }, null, poll, poll);
        return new Watching(fileEvents ? StartWatcher(Soon, onWatcherError) : null, reload, check);
    }

    private FileSystemWatcher? StartWatcher(Action changed, Action<Exception>? onWatcherError)
    {
        // A missing folder is already an error in the snapshot ("report folder not found"); the listing check sees it come.
        if (!System.IO.Directory.Exists(Directory))
            return null;
        FileSystemWatcher? watcher = null;
        try
        {
            watcher = new FileSystemWatcher(Directory, "*.md")
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                IncludeSubdirectories = false,
            };
            watcher.Changed += (_, _) => changed();
            watcher.Created += (_, _) => changed();
            watcher.Deleted += (_, _) => changed();
            watcher.Renamed += (_, _) => changed();
            // Events were lost: what changed is unknown, so load again.
            watcher.Error += (_, e) =>
            {
                onWatcherError?.Invoke(e.GetException());
                changed();
            };
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Typically the limit of inotify instances or watches of the user: the listing check still finds changes.
            watcher?.Dispose();
            onWatcherError?.Invoke(ex);
            return null;
        }
    }

    /// <summary>What the folder holds, by name, size and time: cheap to take, and different after any save.</summary>
    private static string Listing(string directory)
    {
        try
        {
            var files = new DirectoryInfo(directory).EnumerateFiles("*.md", SearchOption.TopDirectoryOnly)
                .Select(f => $"{f.Name}\u0001{f.Length}\u0001{f.LastWriteTimeUtc.Ticks}")
                .Order(StringComparer.Ordinal);
            return string.Join('\n', files);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "\u0000unreadable"; // a missing folder too; the next load reports it
        }
    }

    private sealed class Watching(FileSystemWatcher? watcher, Timer reload, Timer check) : IDisposable
    {
        public void Dispose()
        {
            watcher?.Dispose();
            check.Dispose();
            reload.Dispose();
        }
    }
}
