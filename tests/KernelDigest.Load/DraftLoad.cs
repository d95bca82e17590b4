using System.Diagnostics;
using System.Globalization;
using KernelDigest.Bot.Tests.LoreDouble;

namespace KernelDigest.Load;

/// <summary>
/// Drafting a month from a lore double holding a generated month of N messages in one inbox: the real bot executable
/// (<c>draft --month 2020-09 --subsystem kvm</c>) run under <c>/usr/bin/time</c>, so the CPU time and peak memory are
/// the bot's own, not the double's. Each run starts with an empty cache. Prints one line per run and the medians,
/// with the lore requests the double saw (search pages and thread fetches).
/// </summary>
internal static class DraftLoad
{
    public static async Task<int> RunAsync(int messages, int runs)
    {
        var archive = SyntheticMonth.Create(messages);
        foreach (var inbox in new[] { "linux-hyperv" })
            archive.AddInbox(inbox);
        await using var lore = await FakeLore.StartAsync(archive);
        var dll = Path.Combine(AppContext.BaseDirectory, "KernelDigest.Bot.dll");
        Console.WriteLine($"draft of {messages} messages (kvm inbox, generated), {runs} runs, bot: {dll}");
        Console.WriteLine("run\twall s\tcpu s (user+sys)\tpeak RSS MB\tlore requests (pages + threads)\tentries");
        var results = new List<(double Wall, double Cpu, double Rss, int Requests)>();
        for (var run = 1; run <= runs; run++)
        {
            lore.ClearRequests();
            var work = Directory.CreateTempSubdirectory("kd-draftload-").FullName;
            var start = new ProcessStartInfo("/usr/bin/time")
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                WorkingDirectory = work,
            };
            foreach (var a in new[]
            {
                "-f", "TIME %e %U %S %M", "dotnet", dll, "draft", "--month", "2020-09", "--subsystem", "kvm",
                $"--Lore:BaseUrl={lore.BaseUrl}", "--Lore:MaxRequestsPerMinute=60000", $"--Lore:CacheDirectory={Path.Combine(work, "cache")}",
                $"--Reports:Directory={work}", $"--Reports:IndexCacheDirectory={Path.Combine(work, "index")}",
            })
                start.ArgumentList.Add(a);
            start.Environment["DOTNET_NOLOGO"] = "1";
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            await stdout;
            var time = stderr.Split('\n').LastOrDefault(l => l.StartsWith("TIME ", StringComparison.Ordinal))?.Split(' ');
            if (process.ExitCode != 0 || time is null)
            {
                Console.Error.WriteLine(stderr);
                return 1;
            }
            var wall = double.Parse(time[1], CultureInfo.InvariantCulture);
            var cpu = double.Parse(time[2], CultureInfo.InvariantCulture) + double.Parse(time[3], CultureInfo.InvariantCulture);
            var rss = double.Parse(time[4], CultureInfo.InvariantCulture) / 1024;
            var requests = lore.Requests;
            var pages = requests.Count(r => r.PathAndQuery.Contains("x=A", StringComparison.Ordinal));
            var summary = stderr.Split('\n').FirstOrDefault(l => l.StartsWith("draft 2020-09:", StringComparison.Ordinal)) ?? "";
            var entries = summary.Split(", ").Skip(1).FirstOrDefault() ?? "?";
            Console.WriteLine($"{run}\t{wall:0.00}\t{cpu:0.00}\t{rss:0}\t{requests.Count} ({pages} + {requests.Count - pages})\t{entries}");
            results.Add((wall, cpu, rss, requests.Count));
        }
        static double Median(IEnumerable<double> xs)
        {
            var sorted = xs.Order().ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        }
        Console.WriteLine($"median\t{Median(results.Select(r => r.Wall)):0.00}\t{Median(results.Select(r => r.Cpu)):0.00}\t{Median(results.Select(r => r.Rss)):0}\t{results[0].Requests}");
        return 0;
    }
}
