namespace KernelDigest.Bot.Cli;

/// <summary>The command-line verbs and their shared option parsing.</summary>
internal static class Cli
{
    public const string Usage = """
        KernelDigest — the Linux kernel monthly report bot

          (no verb)                     run the bot: Telegram/Discord when configured, else a console chat
          ask [--json] [--lang en|zh-CN] "<text>"   answer one message
          ask [--json] [--lang en|zh-CN] -          answer each line of standard input
          import <raw.txt> [--out FILE]  turn a newsletter's text into a report file (stdout without --out)
          check [DIR]                    validate report files (default config/reports); exit 1 on errors
          ask --drafts ...               also search months still in draft (chats never see them)
          draft --month YYYY-MM [--subsystem kvm ...] [--top N] [--out FILE]
                                         draft a month's report from lore (default config/reports/YYYY-MM.md)
          preview YYYY-MM [--platform telegram|discord|console] [--lang en|zh-CN]
                                         print the month's digest exactly as subscribers would get it
          publish YYYY-MM                validate, mark published, and let the bot serve and send it
          export-site DIR                write the web archive (pages in both languages, feeds, stylesheet) as static files

        Settings come from appsettings.json, environment variables (Reports__Directory=...) and --Key=value.
        """;

    public static bool IsVerb(string[] args) => args.Length > 0 && args[0] is "ask" or "import" or "check" or "draft" or "preview" or "publish" or "export-site" or "help" or "--help" or "-h";

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        try
        {
            return args[0] switch
            {
                "ask" => await AskAsync(args[1..], ct),
                "import" => ImportCommand.Run(args[1..]),
                "check" => CheckCommand.Run(args[1..]),
                "draft" => await Drafts.DraftCommand.RunAsync(args[1..], ct),
                "preview" => Drafts.PreviewCommand.Run(args[1..], Console.Out),
                "publish" => Drafts.PublishCommand.Run(args[1..], TimeProvider.System),
                "export-site" => Web.ExportSiteCommand.Run(args[1..], Console.Out),
                _ => Help(),
            };
        }
        catch (CliUsageException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}\n\n{Usage}");
            return 2;
        }
    }

    private static async Task<int> AskAsync(string[] args, CancellationToken ct)
    {
        // Console.Out flushes every line; a batch of answers goes out through one buffer instead.
        await using var stdout = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 1 << 16) { AutoFlush = false };
        try
        {
            return await AskCommand.RunAsync(args, Console.In, stdout, ct);
        }
        finally
        {
            await stdout.FlushAsync(ct);
        }
    }

    private static int Help()
    {
        Console.Out.WriteLine(Usage);
        return 0;
    }

    /// <summary>Configuration for verbs that run without a host: appsettings.json, environment, then --Key=value.</summary>
    public static IConfiguration Configuration(IEnumerable<string> settings) =>
        new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine([.. settings])
            .Build();

    /// <summary>Splits "--Key=value" settings from the verb's own arguments.</summary>
    public static (List<string> Own, List<string> Settings) SplitSettings(string[] args)
    {
        var own = new List<string>();
        var settings = new List<string>();
        foreach (var a in args)
        {
            if (a.StartsWith("--", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal) && a.IndexOf(':', StringComparison.Ordinal) is > 2)
                settings.Add(a);
            else
                own.Add(a);
        }
        return (own, settings);
    }
}

/// <summary>Wrong arguments: printed with the usage, exit code 2.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
