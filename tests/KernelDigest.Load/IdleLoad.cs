using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace KernelDigest.Load;

/// <summary>
/// The bot at rest: the real bot process polling <see cref="BotApiStub"/> (Telegram on, nothing to answer), with one
/// month (the bundled report) or a folder of generated ones. Prints its resident memory once it has settled; with a
/// message, after answering it (a Chinese query loads SmartCn's dictionaries, which a bot that never had one has not).
/// </summary>
internal static class IdleLoad
{
    public static async Task<int> RunAsync(int seconds, string? reports, string? message, string repo)
    {
        await using var api = new BotApiStub(int.MaxValue);
        if (message is not null)
            api.Deliver(42, message);
        await api.StartAsync();
        var data = Directory.CreateTempSubdirectory("kd-idle-").FullName;
        using var bot = BotProcess.Start(repo, data, BotProcess.FreePort(), new Dictionary<string, string>
        {
            ["Telegram__BotToken"] = "123:IDLE",
            ["Telegram__ApiBaseUrl"] = api.BaseUrl,
            ["Reports__Directory"] = reports ?? Path.Combine(repo, "config", "reports"),
            // One cache for every run of a build (its folders are keyed by the reports' fingerprint): the bot at rest, not
            // just built. Per build, since a build with another index schema clears the folders it does not use.
            ["Reports__IndexCacheDirectory"] = Path.Combine(Path.GetTempPath(), "kd-idle-index", BuildKey()),
        });
        try
        {
            var clock = Stopwatch.StartNew();
            while (api.Polls == 0)
            {
                if (bot.HasExited || clock.Elapsed > TimeSpan.FromMinutes(3))
                    throw new InvalidOperationException("the bot never polled for updates");
                await Task.Delay(100);
            }
            while (message is not null && api.Messages == 0)
            {
                if (bot.HasExited || clock.Elapsed > TimeSpan.FromMinutes(3))
                    throw new InvalidOperationException("the bot never answered the message");
                await Task.Delay(100);
            }
            var ready = clock.Elapsed;
            // Memory is sampled over the second half only: start-up garbage takes a few collections to be given back.
            var samples = new List<(long Rss, long Anon)>();
            for (var s = 0; s < seconds; s++)
            {
                await Task.Delay(1000);
                if (s >= seconds / 2)
                    samples.Add(Rss(bot.Id));
            }
            var cpu = bot.TotalProcessorTime;
            static double MiB(long kb) => kb / 1024.0;
            Console.WriteLine("| polling from | seconds idle | VmRSS MiB (min–max, second half) | RssAnon MiB (last) | CPU s in all | polls |");
            Console.WriteLine("|---|---|---|---|---|---|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {ready.TotalSeconds:F1} s | {seconds} | {MiB(samples.Min(x => x.Rss)):F1}–{MiB(samples.Max(x => x.Rss)):F1} | {MiB(samples[^1].Anon):F1} | {cpu.TotalSeconds:F2} | {api.Polls} |"));
            return 0;
        }
        finally
        {
            bot.Kill(entireProcessTree: true);
        }
    }

    private static string BuildKey() =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Environment.GetEnvironmentVariable("KD_BOT_DLL") ?? "repository build")))[..12];

    /// <summary>VmRSS and RssAnon of a process, in KiB, from /proc (what the kernel charges it, unlike the GC's figures).</summary>
    private static (long Rss, long Anon) Rss(int pid)
    {
        long rss = 0, anon = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                rss = Kb(line);
            else if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                anon = Kb(line);
        }
        return (rss, anon);

        static long Kb(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
}
