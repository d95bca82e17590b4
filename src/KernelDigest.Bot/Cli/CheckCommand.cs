using KernelDigest.Bot.Reports;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Subsystems;

namespace KernelDigest.Bot.Cli;

/// <summary><c>check [DIR]</c>: validates every report file and names file and line for each problem; exit 1 on any.</summary>
internal static class CheckCommand
{
    public static int Run(string[] args)
    {
        var (own, settings) = Cli.SplitSettings(args);
        if (own.Count > 1)
            throw new CliUsageException("check takes at most one folder");
        var options = ReportsSetup.ReadOptions(Cli.Configuration(settings));
        var directory = own.Count == 1 ? own[0] : ReportsOptions.Resolve(options.Directory);
        var subsystems = SubsystemCatalog.Load(ReportsOptions.Resolve(options.SubsystemsFile));
        var (reports, errors) = ReportLibrary.ReadAll(directory, subsystems);
        foreach (var error in errors)
            Console.Error.WriteLine(error);
        var entries = reports.Sum(r => r.Entries.Count());
        var verdict = errors.Count == 0 ? "ok" : $"{errors.Count} error(s)";
        var drafts = reports.Count(r => r.IsDraft);
        Console.Out.WriteLine($"{directory}: {reports.Count} report(s), {entries} entries, {verdict}" + (drafts > 0 ? $"; {drafts} draft(s), not served until published" : ""));
        return errors.Count == 0 ? 0 : 1;
    }
}
