using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using KernelDigest.Bot.Tests;

namespace KernelDigest.Faults.Reports;

/// <summary>
/// Issue 16 §3.6, report files changing under the bot: the real bot (in process, its file watcher on a folder of its
/// own) while a month's file is saved half-written, gets a byte that is not UTF-8, is replaced forty times while the
/// bot reads it, a 50 MB file appears, and files are deleted. What is checked is what a reader of the web archive and
/// an operator reading /health/ready see.
/// </summary>
public sealed class ReportFileTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private const int Replacements = 40;

    private readonly DirectoryInfo _reports = Directory.CreateTempSubdirectory("kd-fault-reports-");

    public void Dispose() => _reports.Delete(recursive: true);

    private string October => Path.Combine(_reports.FullName, "2020-10.md");
    private string November => Path.Combine(_reports.FullName, "2020-11.md");

    /// <summary>A small valid report of October whose title carries its version; <paramref name="entries"/> makes it longer.</summary>
    private static string OctoberText(string version, int entries = 1)
    {
        var text = new StringBuilder($"---\nmonth: 2020-10\ntitle: 十月月报 {version}\n---\n\n# 虚拟化\n\n");
        for (var i = 1; i <= entries; i++)
            text.Append(CultureInfo.InvariantCulture, $"## Speed up KVM page faults, part {i}\n\n- authors: Alice\n\nThis makes page faults faster, step {i}.\n\n");
        return text.ToString();
    }

    [Fact]
    public async Task Broken_huge_replaced_and_deleted_files_leave_every_other_month_served_and_the_last_good_one_kept()
    {
        File.Copy(Path.Combine(BotProcess.RepoRoot, "config", "reports", "2020-09.md"), Path.Combine(_reports.FullName, "2020-09.md"));
        await File.WriteAllTextAsync(October, OctoberText("v1"));
        await using var bot = await InProcessBot.StartAsync(new Dictionary<string, string> { ["Reports__Directory"] = _reports.FullName });
        using var http = new HttpClient { BaseAddress = bot.BaseUrl };
        var september = 0; // times 2020-09 was checked and served
        var named = new List<string>();

        async Task SeptemberServed()
        {
            Assert.Contains("内核月报(2020年09月)", await Page("/reports/2020-09"), StringComparison.Ordinal);
            september++;
        }
        async Task<string> Page(string path)
        {
            using var response = await http.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}\n--- bot log ---\n{bot.Logs}");
            return await response.Content.ReadAsStringAsync();
        }
        async Task<string> Ready(Func<string, bool> until, string what)
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                using var response = await http.GetAsync("/health/ready");
                var text = await response.Content.ReadAsStringAsync();
                if (until(text))
                    return text;
                if (clock.Elapsed > Patience)
                    throw new TimeoutException($"/health/ready never showed {what}; last:\n{text}\n--- bot log ---\n{bot.Logs}");
                await Task.Delay(50);
            }
        }
        async Task Broken(string file, int line, string problem)
        {
            var location = $"{file}:{line}: ";
            var ready = await Ready(t => t.Contains(location, StringComparison.Ordinal), location);
            Assert.StartsWith("Degraded", ready, StringComparison.Ordinal); // degraded, not down: still 200 to a balancer
            Assert.Contains(problem, ready, StringComparison.Ordinal);
            Assert.Contains($"Report file {Path.Combine(_reports.FullName, file)}:{line}: ", bot.Logs, StringComparison.Ordinal);
            named.Add(location.TrimEnd(' ', ':'));
        }
        Task Healthy() => Ready(t => t.StartsWith("Healthy", StringComparison.Ordinal), "Healthy");

        Assert.Contains("十月月报 v1", await Page("/reports/2020-10"), StringComparison.Ordinal);
        await SeptemberServed();

        // Saved half-written by an editor: cut inside the front matter. The last good October stays.
        var v2 = OctoberText("v2");
        await File.WriteAllTextAsync(October, v2[..25]);
        await Broken("2020-10.md", 1, "front matter");
        Assert.Contains("十月月报 v1", await Page("/reports/2020-10"), StringComparison.Ordinal);
        await SeptemberServed();
        Assert.Contains("last good version served for 2020-10", await Ready(_ => true, "-"), StringComparison.Ordinal);

        // The editor finishes the save: the new version is served and the error is gone.
        await File.WriteAllTextAsync(October, v2);
        await Healthy();
        Assert.Contains("十月月报 v2", await Page("/reports/2020-10"), StringComparison.Ordinal);

        // A byte that is not UTF-8 on line 7: reported there, never shown as U+FFFD; v2 stays.
        var bytes = Encoding.UTF8.GetBytes(OctoberText("v3"));
        var line7 = IndexOfLine(bytes, 7);
        await File.WriteAllBytesAsync(October, [.. bytes[..line7], 0xFF, .. bytes[line7..]]);
        await Broken("2020-10.md", 7, "not valid UTF-8");
        Assert.Contains("十月月报 v2", await Page("/reports/2020-10"), StringComparison.Ordinal);
        await SeptemberServed();

        // A 50 MB file appears: refused unread, named, and the rest served.
        await using (var huge = File.Create(November))
        {
            var head = Encoding.UTF8.GetBytes("---\nmonth: 2020-11\ntitle: huge\n---\n\n# 虚拟化\n\n");
            await huge.WriteAsync(head);
            var filler = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("This line only makes the file large. ", 2000)) + "\n");
            while (huge.Length < 50L * 1024 * 1024)
                await huge.WriteAsync(filler);
        }
        await Broken("2020-11.md", 1, "50 MB");
        await SeptemberServed();
        Assert.Contains("十月月报 v2", await Page("/reports/2020-10"), StringComparison.Ordinal);
        File.Delete(November);

        // Forty replacements while the bot reloads and readers read: half of them rewritten in place (the bot reloads
        // the truncated file each time), half written aside and renamed over. October is never missing from the archive.
        var staleBefore = StaleReloads(bot.Logs);
        var reads = 0;
        var misses = new List<string>();
        using var writing = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            while (!writing.IsCancellationRequested)
            {
                using var response = await http.GetAsync("/reports/2020-10");
                var body = await response.Content.ReadAsStringAsync();
                Interlocked.Increment(ref reads);
                if (response.StatusCode != HttpStatusCode.OK || !body.Contains("十月月报 ", StringComparison.Ordinal))
                    lock (misses)
                        misses.Add($"{(int)response.StatusCode}");
                await Task.Delay(5); // a busy reader, not a load test: the machine is shared
            }
        });
        for (var k = 1; k <= Replacements; k++)
        {
            var text = Encoding.UTF8.GetBytes(OctoberText($"r{k}", entries: 200));
            if (k % 2 == 0)
            {
                // An editor's save in place: truncate, then write. Here the bot is made to reload the empty file in
                // between (the test waits for its log to say so), so every one of these is a reload of a broken file.
                var before = StaleReloads(bot.Logs);
                await using var file = new FileStream(October, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                await file.FlushAsync();
                var clock = Stopwatch.StartNew();
                while (StaleReloads(bot.Logs) == before)
                {
                    Assert.True(clock.Elapsed < Patience, $"the bot never reloaded the truncated 2020-10.md\n--- bot log ---\n{bot.Logs}");
                    await Task.Delay(20);
                }
                await file.WriteAsync(text);
            }
            else
            {
                // Written aside and renamed over, at random moments against the watcher's reloads.
                var aside = October + ".tmp";
                await File.WriteAllBytesAsync(aside, text);
                File.Move(aside, October, overwrite: true);
                await Task.Delay(Random.Shared.Next(0, 400));
            }
        }
        await Ready(t => t.StartsWith("Healthy", StringComparison.Ordinal), "Healthy after the replacements");
        var last = $"十月月报 r{Replacements}";
        var served = Stopwatch.StartNew();
        while (!(await Page("/reports/2020-10")).Contains(last, StringComparison.Ordinal))
        {
            Assert.True(served.Elapsed < Patience, $"the last replacement ({last}) is not served\n--- bot log ---\n{bot.Logs}");
            await Task.Delay(50);
        }
        await writing.CancelAsync();
        await reader;
        var caught = StaleReloads(bot.Logs) - staleBefore;
        await SeptemberServed();

        // Deleted: the month goes (that is what deleting means), every other month stays, and nothing is broken.
        File.Delete(October);
        var gone = Stopwatch.StartNew();
        while (true)
        {
            using var response = await http.GetAsync("/reports/2020-10");
            if (response.StatusCode == HttpStatusCode.NotFound)
                break;
            Assert.True(gone.Elapsed < Patience, $"2020-10 is still served after its file was deleted\n--- bot log ---\n{bot.Logs}");
            await Task.Delay(50);
        }
        await Healthy();
        await SeptemberServed();

        Figures.Print(output, "report-files",
            $"half-written, bad UTF-8, 50 MB, {Replacements} replacements mid-read, deleted: 2020-09 served at all {september} checks; " +
            $"broken October served from its last good version; {misses.Count} of {reads} reads during the replacements missed October " +
            $"({caught} reloads read a truncated file); " +
            $"named in /health/ready: {string.Join(", ", named)}");
        Assert.Empty(misses);
        Assert.True(caught >= Replacements / 2, $"only {caught} reloads read a truncated file");
        Assert.DoesNotContain("\uFFFD", await Page("/reports/2020-09"), StringComparison.Ordinal);
    }

    private static int StaleReloads(string logs) =>
        logs.Split('\n').Count(l => l.Contains("2020-10.md is broken; its last good version", StringComparison.Ordinal));

    private static int IndexOfLine(byte[] bytes, int line)
    {
        var at = 0;
        for (var n = 1; n < line; n++)
            at = Array.IndexOf(bytes, (byte)'\n', at) + 1;
        return at;
    }
}
