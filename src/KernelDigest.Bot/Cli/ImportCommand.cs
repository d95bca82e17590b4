using KernelDigest.Bot.Reports;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Reports.Import;
using KernelDigest.Core.Subsystems;

namespace KernelDigest.Bot.Cli;

/// <summary>
/// <c>import &lt;raw.txt&gt; [--out FILE]</c>: turns a newsletter's text into a canonical report file. Lines the importer
/// cannot place are listed with their line numbers on stderr and the exit code is 3, so nothing is lost unnoticed.
/// </summary>
internal static class ImportCommand
{
    public static int Run(string[] args)
    {
        var (own, settings) = Cli.SplitSettings(args);
        string? input = null;
        string? output = null;
        for (var i = 0; i < own.Count; i++)
        {
            if (own[i] == "--out")
                output = i + 1 < own.Count ? own[++i] : throw new CliUsageException("--out needs a file name");
            else if (input is null)
                input = own[i];
            else
                throw new CliUsageException($"unexpected argument '{own[i]}'");
        }
        if (input is null)
            throw new CliUsageException("import needs the newsletter's text file");
        if (!File.Exists(input))
        {
            Console.Error.WriteLine($"error: {input}: no such file");
            return 1;
        }

        var options = ReportsSetup.ReadOptions(Cli.Configuration(settings));
        var subsystems = SubsystemCatalog.Load(ReportsOptions.Resolve(options.SubsystemsFile));
        var result = new NewsletterImporter(subsystems).Import(File.ReadAllText(input), input);
        var markdown = ReportMarkdown.Write(result.Report);

        // The written file must load: check it with the same reader the bot uses before anyone relies on it.
        var readBack = ReportMarkdown.Read(markdown, output ?? $"{result.Report.Month}.md", subsystems);
        foreach (var error in readBack.Errors)
            Console.Error.WriteLine($"error: the imported report does not load: {error}");

        if (output is null)
            Console.Out.Write(markdown);
        else
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
            File.WriteAllText(output, markdown);
            var entries = result.Report.Entries.Count();
            Console.Error.WriteLine($"wrote {output}: {result.Report.Month}, {result.Report.Sections.Count} sections, {entries} entries");
        }
        foreach (var issue in result.Issues)
            Console.Error.WriteLine($"{input}:{issue.Line}: not placed ({issue.Reason}): {issue.Text}");
        if (readBack.Errors.Count > 0)
            return 1;
        return result.Issues.Count > 0 ? 3 : 0;
    }
}
