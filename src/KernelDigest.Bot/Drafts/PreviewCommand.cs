using System.Text.Json;
using KernelDigest.Bot.Cli;
using KernelDigest.Bot.DiscordChat;
using KernelDigest.Bot.Reports;
using KernelDigest.Bot.TelegramChat;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Subsystems;

namespace KernelDigest.Bot.Drafts;

/// <summary>
/// <c>preview YYYY-MM [--platform telegram|discord|console] [--lang zh-CN|en]</c>: prints exactly what a subscriber
/// would get for the month, draft or not — the Telegram HTML parts, the Discord messages as the JSON sent to
/// Create Message, or the console text — rendered by the same code the digest senders use.
/// </summary>
internal static class PreviewCommand
{
    private static readonly JsonSerializerOptions Indented = new(DiscordJson.Options) { WriteIndented = true };

    public static int Run(string[] args, TextWriter stdout)
    {
        var (own, settings) = Cli.Cli.SplitSettings(args);
        ReportMonth? month = null;
        var platform = "console";
        var lang = Lang.Zh;
        for (var i = 0; i < own.Count; i++)
        {
            switch (own[i])
            {
                case "--platform" when i + 1 < own.Count:
                    platform = own[++i].ToLowerInvariant();
                    if (platform is not ("telegram" or "discord" or "console"))
                        throw new CliUsageException($"--platform '{own[i]}' is not telegram, discord or console");
                    break;
                case "--lang" when i + 1 < own.Count:
                    lang = Langs.FromCode(own[++i]);
                    break;
                case var text when month is null && !text.StartsWith("--", StringComparison.Ordinal):
                    month = ReportMonth.TryParse(text, out var m) ? m : throw new CliUsageException($"'{text}' is not a month in the form YYYY-MM");
                    break;
                default:
                    throw new CliUsageException($"preview does not understand '{own[i]}'");
            }
        }
        if (month is null)
            throw new CliUsageException("preview needs a month: preview 2020-09");

        if (ReportFiles.Load(settings, month.Value) is not { } report)
            return 1;
        var digest = ReportCommands.Digest(report, lang, "/month " + month, "digest");
        switch (platform)
        {
            case "telegram":
                var parts = TelegramRenderer.Render(digest);
                for (var i = 0; i < parts.Count; i++)
                    stdout.WriteLine($"--- telegram message {i + 1}/{parts.Count} (parse_mode HTML) ---\n{parts[i].Html}");
                break;
            case "discord":
                var messages = DiscordRenderer.Render(digest);
                stdout.WriteLine(JsonSerializer.Serialize(messages, Indented));
                break;
            default:
                stdout.WriteLine(PlainText.Render(digest).TrimEnd());
                break;
        }
        Console.Error.WriteLine($"{report.SourcePath}: {(report.IsDraft ? "draft" : "published")}, {report.Entries.Count()} entries");
        return 0;
    }
}

/// <summary>Finding one month's file for the editor verbs, with every problem printed as <c>file:line: message</c>.</summary>
internal static class ReportFiles
{
    /// <summary>A month's file in the configured report folder, with the folder and the taxonomy it is read with.</summary>
    public sealed record MonthFile(string Path, string Directory, SubsystemCatalog Catalog);

    /// <summary>Where a month's report is; null (and why, on stderr) when there is no such file.</summary>
    public static MonthFile? Find(IEnumerable<string> settings, ReportMonth month)
    {
        var options = ReportsSetup.ReadOptions(Cli.Cli.Configuration(settings));
        var directory = ReportsOptions.Resolve(options.Directory);
        var catalog = SubsystemCatalog.Load(ReportsOptions.Resolve(options.SubsystemsFile));
        var path = System.IO.Path.Combine(directory, $"{month}.md");
        if (File.Exists(path))
            return new MonthFile(path, directory, catalog);
        Console.Error.WriteLine($"error: {path} does not exist (draft it with: draft --month {month})");
        return null;
    }

    public static Report? Load(IEnumerable<string> settings, ReportMonth month)
    {
        if (Find(settings, month) is not { } file)
            return null;
        var result = ReportMarkdown.Read(File.ReadAllText(file.Path), file.Path, file.Catalog);
        foreach (var error in result.Errors)
            Console.Error.WriteLine(error);
        return result.Report;
    }
}
