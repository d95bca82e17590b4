using System.ComponentModel.DataAnnotations;
using KernelDigest.Bot.Cli;
using KernelDigest.Bot.Lore;
using KernelDigest.Bot.Reports;
using KernelDigest.Core.Lore;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Subsystems;

namespace KernelDigest.Bot.Drafts;

/// <summary>
/// <c>draft --month YYYY-MM [--subsystem kvm ...] [--top N] [--out FILE]</c>: drafts a month's report from lore
/// (see <see cref="LoreDrafter"/>), merging into an earlier draft of the same file and refusing to touch a published
/// one. Progress goes to stderr; the file is written whole (temporary file, then rename) or not at all.
/// </summary>
internal static class DraftCommand
{
    public const int DefaultTop = 8;

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var (own, settings) = Cli.Cli.SplitSettings(args);
        ReportMonth? month = null;
        var wanted = new List<string>();
        var top = DefaultTop;
        string? output = null;
        for (var i = 0; i < own.Count; i++)
        {
            switch (own[i])
            {
                case "--month" when i + 1 < own.Count:
                    month = ReportMonth.TryParse(own[++i], out var m) ? m : throw new CliUsageException($"--month '{own[i]}' is not a month in the form YYYY-MM");
                    break;
                case "--subsystem" when i + 1 < own.Count:
                    while (i + 1 < own.Count && !own[i + 1].StartsWith("--", StringComparison.Ordinal))
                        wanted.AddRange(own[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "--top" when i + 1 < own.Count:
                    top = int.TryParse(own[++i], out var n) && n is > 0 and <= 100 ? n : throw new CliUsageException($"--top '{own[i]}' is not a number from 1 to 100");
                    break;
                case "--out" when i + 1 < own.Count:
                    output = own[++i];
                    break;
                default:
                    throw new CliUsageException($"draft does not understand '{own[i]}'");
            }
        }
        if (month is null)
            throw new CliUsageException("draft needs --month YYYY-MM");

        var configuration = Cli.Cli.Configuration(settings);
        var reports = ReportsSetup.ReadOptions(configuration);
        var lore = new LoreOptions();
        configuration.GetSection(LoreOptions.SectionName).Bind(lore);
        var problems = new List<ValidationResult>();
        if (!Validator.TryValidateObject(lore, new ValidationContext(lore), problems, validateAllProperties: true))
        {
            foreach (var p in problems)
                await Console.Error.WriteLineAsync($"error: {p.ErrorMessage}");
            return 2;
        }

        var catalog = SubsystemCatalog.Load(ReportsOptions.Resolve(reports.SubsystemsFile));
        var subsystems = new List<Subsystem>();
        foreach (var name in wanted)
        {
            var s = catalog.Resolve(name) ?? throw new CliUsageException($"--subsystem '{name}' matches no subsystem in {reports.SubsystemsFile}");
            if (s.Lore.Count == 0)
                throw new CliUsageException($"subsystem '{s.Key}' has no lore inboxes in {reports.SubsystemsFile} (add 'lore: [{{inbox: ...}}]')");
            if (!subsystems.Contains(s))
                subsystems.Add(s);
        }
        if (wanted.Count == 0)
            subsystems.AddRange(catalog.All.Where(s => s.Lore.Count > 0));

        var directory = ReportsOptions.Resolve(reports.Directory);
        var path = Path.GetFullPath(output ?? Path.Combine(directory, $"{month}.md"));
        if (output is null && await IsPublishedAsync(path, catalog, ct))
        {
            // The month is out already (the bundled 2020-09, say): draft beside it rather than refuse, so an editor can
            // compare what lore holds with what was published. A draft never overwrites a published report.
            var aside = Path.GetFullPath(Path.Combine("data", "drafts", $"{month}.md"));
            await Console.Error.WriteLineAsync($"{path} is a published report, which a draft never overwrites: drafting into {aside} instead (choose with --out FILE).");
            path = aside;
        }
        Report? editor = null;
        if (File.Exists(path))
        {
            var existing = ReportMarkdown.Read(await File.ReadAllTextAsync(path, ct), path, catalog);
            if (existing.Report is null)
            {
                foreach (var error in existing.Errors)
                    await Console.Error.WriteLineAsync(error.ToString());
                await Console.Error.WriteLineAsync($"error: {path} cannot be read, so a draft would lose what it holds; fix it (see above) or move it away. Nothing was written.");
                return 1;
            }
            if (!existing.Report.IsDraft)
            {
                await Console.Error.WriteLineAsync($"error: {path} is a published report; a draft never overwrites one. Write the draft elsewhere with --out FILE. Nothing was written.");
                return 1;
            }
            if (existing.Report.Month != month)
            {
                await Console.Error.WriteLineAsync($"error: {path} holds {existing.Report.Month}, not {month}. Nothing was written.");
                return 1;
            }
            editor = existing.Report;
        }

        var (published, _) = ReportLibrary.ReadAll(directory, catalog);
        var previous = published.Where(r => !r.IsDraft && r.Month < month.Value).MaxBy(r => r.Month);

        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Information));
        using var client = new LoreClient(lore, TimeProvider.System, loggers.CreateLogger<LoreClient>());
        var progress = Console.Error;
        await progress.WriteLineAsync($"drafting {month} from {lore.BaseUri} for {string.Join(", ", subsystems.Select(s => s.Key))} (top {top} each)");
        IReadOnlyList<SubsystemDraft> sections;
        DraftStats stats;
        try
        {
            (sections, stats) = await new LoreDrafter(client, progress).DraftAsync(month.Value, subsystems, top, lore.SettleTime, ct);
        }
        catch (LoreException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            await Console.Error.WriteLineAsync($"Nothing was written{(editor is null ? "" : $"; {path} is as it was")}. Run draft again later: answers already fetched are cached.");
            return 1;
        }

        var fresh = DraftReport.Build(month.Value, DraftReport.TitleFor(month.Value, previous), sections);
        var report = editor is null ? fresh : DraftReport.Merge(editor, fresh);
        var text = ReportMarkdown.Write(report);
        var check = ReportMarkdown.Read(text, path, catalog);
        if (check.Report is null)
        {
            foreach (var error in check.Errors)
                await Console.Error.WriteLineAsync($"internal error, the draft would not read back: {error}");
            return 1;
        }
        WriteWhole(path, text);
        var entries = report.Entries.Count();
        await Console.Error.WriteLineAsync(
            $"draft {month}: {report.Sections.Count} sections, {entries} entries ({stats.SeriesFound} series in {stats.Messages} messages, {stats.Threads} threads read); " +
            $"lore: {client.Requests} requests, {client.CacheHits} answers from cache; {(editor is null ? "wrote" : "merged into")} {path}");
        return 0;
    }

    /// <summary>True when <paramref name="path"/> holds a report that is not a draft.</summary>
    private static async Task<bool> IsPublishedAsync(string path, SubsystemCatalog catalog, CancellationToken ct) =>
        File.Exists(path) && ReportMarkdown.Read(await File.ReadAllTextAsync(path, ct), path, catalog).Report is { IsDraft: false };

    /// <summary>Writes beside the target and renames over it, so a reader (or a crash) never sees half a file.</summary>
    internal static void WriteWhole(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + "." + Environment.ProcessId + ".tmp");
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
