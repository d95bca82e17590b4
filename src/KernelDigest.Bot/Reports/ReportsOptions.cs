using System.ComponentModel.DataAnnotations;

namespace KernelDigest.Bot.Reports;

/// <summary>Where the reports, taxonomy and glossary live, and where the search index is cached.</summary>
public sealed class ReportsOptions
{
    public const string SectionName = "Reports";

    /// <summary>The folder of monthly report files (env <c>Reports__Directory</c>).</summary>
    [Required]
    public string Directory { get; set; } = "config/reports";

    [Required]
    public string SubsystemsFile { get; set; } = "config/subsystems.yaml";

    [Required]
    public string GlossaryFile { get; set; } = "config/glossary.yaml";

    /// <summary>Folder for the on-disk search index; empty keeps the index in memory only.</summary>
    public string? IndexCacheDirectory { get; set; } = "data/index";

    /// <summary>
    /// How often the folder is also checked for changes, beside the file watcher's events: a change the watcher
    /// missed (lost events, inotify limits, a mount that sends none) is served within this time.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Resolves a configured path: relative to the working directory when it exists there (a checkout, a mounted
    /// volume), otherwise to the app's own folder, which carries the bundled config/.
    /// </summary>
    public static string Resolve(string path)
    {
        if (Path.IsPathRooted(path))
            return path;
        var fromWorkingDirectory = Path.GetFullPath(path);
        if (File.Exists(fromWorkingDirectory) || System.IO.Directory.Exists(fromWorkingDirectory))
            return fromWorkingDirectory;
        var bundled = Path.Combine(AppContext.BaseDirectory, path);
        return File.Exists(bundled) || System.IO.Directory.Exists(bundled) ? bundled : fromWorkingDirectory;
    }
}
