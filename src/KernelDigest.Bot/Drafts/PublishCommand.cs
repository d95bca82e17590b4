using KernelDigest.Bot.Cli;
using KernelDigest.Core.Lore;
using KernelDigest.Core.Reports;

namespace KernelDigest.Bot.Drafts;

/// <summary>
/// <c>publish YYYY-MM</c>: validates the month's file with the checks of <c>check</c> (every file of the folder must
/// pass, since the running bot loads them together), then sets <c>status: published</c> and <c>published:</c> (now,
/// UTC) and rewrites the file whole. A running bot reloads it and serves the month; if the month's scheduled digest
/// day has passed, it sends the digest to the subscriptions that lack it (<c>Digest:SendOnPublish</c>).
/// </summary>
internal static class PublishCommand
{
    public static int Run(string[] args, TimeProvider time)
    {
        var (own, settings) = Cli.Cli.SplitSettings(args);
        if (own.Count != 1)
            throw new CliUsageException("publish takes one month: publish 2020-09");
        if (!ReportMonth.TryParse(own[0], out var month))
            throw new CliUsageException($"'{own[0]}' is not a month in the form YYYY-MM");

        if (ReportFiles.Find(settings, month) is not { } file)
            return 1;
        var path = file.Path;
        var (reports, errors) = ReportLibrary.ReadAll(file.Directory, file.Catalog);
        foreach (var error in errors)
            Console.Error.WriteLine(error);
        if (errors.Count > 0)
        {
            Console.Error.WriteLine($"error: {errors.Count} problem(s) above; {month} stays as it is. Fix them and run publish again.");
            return 1;
        }
        var report = reports.Single(r => r.Month == month);
        if (!report.IsDraft && report.Published is not null)
        {
            Console.Out.WriteLine($"{month} was already published at {report.Published:u}; nothing changed.");
            return 0;
        }
        var left = report.Entries.Count(e => e.Summary.Any(p => p.StartsWith(DraftReport.CoverLetterMarker, StringComparison.Ordinal)));
        if (left > 0)
            Console.Error.WriteLine($"note: {left} entries still quote their cover letter (\"{DraftReport.CoverLetterMarker.Trim()}\") instead of commentary.");
        var now = time.GetUtcNow();
        var published = report with
        {
            Status = ReportStatus.Published,
            Published = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero),
        };
        DraftCommand.WriteWhole(path, ReportMarkdown.Write(published));
        Console.Out.WriteLine($"published {month} at {published.Published:u}: {report.Entries.Count()} entries in {report.Sections.Count} sections ({path}). " +
            "A running bot serves it now and, if its digest day has passed, sends it to subscriptions that lack it.");
        return 0;
    }
}
