using KernelDigest.Core.Commands;
using KernelDigest.Bot.Storage;
using KernelDigest.Bot.Tests.LoreDouble;
using KernelDigest.Bot.Tests.Subscriptions;
using KernelDigest.Bot.Tests.TelegramDouble;

namespace KernelDigest.Bot.Tests.Drafts;

/// <summary>
/// The editors' workflow through the real executable: draft from the lore double, edit, check, preview, publish,
/// and the digest arriving on the Telegram double from a running bot; and what happens on bad input and lore faults.
/// </summary>
public sealed class EditorWorkflowTests
{
    private static string[] Lore(FakeLore lore, string cache, int retries = 3) =>
    [
        $"--Lore:BaseUrl={lore.BaseUrl}", "--Lore:MaxRequestsPerMinute=60000", $"--Lore:CacheDirectory={cache}", $"--Lore:MaxRetries={retries}",
    ];

    private static string[] Reports(string dir) => [$"--Reports:Directory={dir}"];

    [Fact]
    public async Task Drafting_a_published_month_with_the_bundled_reports_writes_the_draft_beside_it_and_leaves_the_report_alone()
    {
        // As from a clean clone: no report folder given, so the bundled reports, where 2020-09 is published.
        await using var lore = await FakeLore.StartAsync(LoreArchive.Fixtures());
        var work = Directory.CreateTempSubdirectory("kd-clone-").FullName;
        var bundled = Path.Combine(AppContext.BaseDirectory, "config", "reports", "2020-09.md");
        var before = File.ReadAllText(bundled);

        var draft = await BotProcess.RunAsync(["draft", "--month", "2020-09", "--subsystem", "kvm", .. Lore(lore, Path.Combine(work, "lore"))], workingDirectory: work);

        Assert.True(draft.ExitCode == 0, draft.Stderr);
        Assert.Contains("is a published report, which a draft never overwrites: drafting into", draft.Stderr, StringComparison.Ordinal);
        var written = File.ReadAllText(Path.Combine(work, "data", "drafts", "2020-09.md"));
        Assert.Contains("status: draft\n", written, StringComparison.Ordinal);
        Assert.Contains("## Introduce the TDP MMU", written, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(bundled));
    }

    [Fact]
    public async Task Draft_edit_check_preview_publish_and_the_running_bot_delivers_the_digest()
    {
        await using var lore = await FakeLore.StartAsync(LoreArchive.Fixtures("linux-mm", "bpf", "rust-for-linux", "linux-riscv"));
        var reports = Directory.CreateTempSubdirectory("kd-reports-").FullName;
        var data = Directory.CreateTempSubdirectory("kd-data-").FullName;
        var file = Path.Combine(reports, "2020-09.md");

        // draft: progress and the summary on stderr, the file in the report folder.
        var draft = await BotProcess.RunAsync(["draft", "--month", "2020-09", .. Lore(lore, Path.Combine(data, "lore")), .. Reports(reports)]);
        Assert.True(draft.ExitCode == 0, draft.Stderr);
        Assert.Contains("virtualization: 6 series found, top 6 kept", draft.Stderr, StringComparison.Ordinal);
        Assert.Matches(@"draft 2020-09: 4 sections, 14 entries \(14 series in \d+ messages, \d+ threads read\); lore: \d+ requests, 0 answers from cache; wrote ", draft.Stderr);
        var text = File.ReadAllText(file);
        Assert.Contains("status: draft\n", text, StringComparison.Ordinal);

        // A draft is not served: the chat path does not know the month; ask --drafts does.
        var hidden = await BotProcess.RunAsync(["ask", "--lang", "en", "/month 2020-09", .. Reports(reports)]);
        Assert.DoesNotContain("Introduce the TDP MMU", hidden.Stdout, StringComparison.Ordinal);
        var shown = await BotProcess.RunAsync(["ask", "--drafts", "--lang", "en", "/month 2020-09", .. Reports(reports)]);
        Assert.Contains("Introduce the TDP MMU", shown.Stdout, StringComparison.Ordinal);

        // edit: the editor replaces the cover letter's words with commentary.
        const string commentary = "Editor: the TDP MMU lets KVM run huge guests without shadow paging.";
        var cover = text.Split('\n').Single(l => l.StartsWith("(cover letter) Over the years", StringComparison.Ordinal));
        File.WriteAllText(file, text.Replace(cover, commentary, StringComparison.Ordinal));

        var check = await BotProcess.RunAsync(["check", reports]);
        Assert.True(check.ExitCode == 0, check.Stderr);
        Assert.Contains("1 report(s), 14 entries, ok; 1 draft(s), not served until published", check.Stdout, StringComparison.Ordinal);

        var preview = await BotProcess.RunAsync(["preview", "2020-09", "--platform", "telegram", "--lang", "en", .. Reports(reports)]);
        Assert.True(preview.ExitCode == 0, preview.Stderr);
        var parts = preview.Stdout.Split("\n--- telegram message ").Select(p => p[(p.IndexOf('\n', StringComparison.Ordinal) + 1)..].TrimEnd('\n')).ToList();
        Assert.Contains(parts, p => p.Contains("Introduce the TDP MMU", StringComparison.Ordinal));
        var discord = await BotProcess.RunAsync(["preview", "2020-09", "--platform", "discord", .. Reports(reports)]);
        Assert.Contains("\"embeds\": [", discord.Stdout, StringComparison.Ordinal);

        // A running bot with one subscriber: nothing to send while the month is a draft.
        await using var api = await FakeBotApi.StartAsync();
        var storage = new StorageOptions { Provider = StorageProvider.Sqlite, DataDirectory = data };
        await using (var harness = await SubscriptionsHarness.StartAsync(api, storage))
            await harness.Store.SubscribeAsync(new ChatAddress(Platform.Telegram, "42"), "en", "", "test", CancellationToken.None);
        await using var bot = BotHost.Start(new Dictionary<string, string>
        {
            ["Telegram__BotToken"] = api.Token,
            ["Telegram__ApiBaseUrl"] = api.BaseUrl.ToString(),
            ["Reports__Directory"] = reports,
            ["Digest__PollInterval"] = "00:00:00.200",
        }, data);
        await bot.WaitForLog("Months published from now on after their digest day are sent at once");

        var publish = await BotProcess.RunAsync(["publish", "2020-09", .. Reports(reports)]);
        Assert.True(publish.ExitCode == 0, publish.Stderr);
        Assert.Contains("published 2020-09 at ", publish.Stdout, StringComparison.Ordinal);
        Assert.Contains("note: 14 entries still quote their cover letter", publish.Stderr, StringComparison.Ordinal);
        Assert.Matches(@"status: published\npublished: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n", File.ReadAllText(file));

        // Published long after its digest day (2020-10-01): sent at once, exactly as previewed.
        await bot.Within(api.WaitForSentMessage(m => m.ChatId == 42, TimeSpan.FromSeconds(30)));
        await bot.WaitForLog("2020-09 was published at");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (api.SentMessages.Count(m => m.ChatId == 42) < parts.Count && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        var sent = api.SentMessages.Where(m => m.ChatId == 42).OrderBy(m => m.MessageId).Select(m => m.Text).ToList();
        Assert.Equal(parts, sent);
        Assert.Contains(sent, m => m.Contains("Introduce the TDP MMU", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_lore_fault_ends_with_a_clear_message_and_leaves_the_editors_file_as_it_was()
    {
        await using var lore = await FakeLore.StartAsync(LoreArchive.Fixtures());
        var reports = Directory.CreateTempSubdirectory("kd-reports-").FullName;
        var cache = Directory.CreateTempSubdirectory("kd-lore-").FullName;
        var file = Path.Combine(reports, "2020-09.md");

        lore.FailNext(503, times: 2, pathContains: "/kvm/");
        var down = await BotProcess.RunAsync(["draft", "--month", "2020-09", "--subsystem", "kvm", .. Lore(lore, cache, retries: 1), .. Reports(reports)]);
        Assert.Equal(1, down.ExitCode);
        Assert.Contains($"error: lore: {lore.BaseUrl}kvm/?q=d%3A20200901..20200930&x=A: 503 Service Unavailable (2 attempts)", down.Stderr, StringComparison.Ordinal);
        Assert.Contains("Nothing was written", down.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", down.Stderr, StringComparison.Ordinal); // no stack trace
        Assert.False(File.Exists(file));
        Assert.Empty(Directory.GetFiles(reports));

        var ok = await BotProcess.RunAsync(["draft", "--month", "2020-09", "--subsystem", "kvm", "--top", "2", .. Lore(lore, cache), .. Reports(reports)]);
        Assert.True(ok.ExitCode == 0, ok.Stderr);
        var before = File.ReadAllText(file);
        lore.ServeHtmlNext(times: 5);
        var wall = await BotProcess.RunAsync(["draft", "--month", "2020-09", "--subsystem", "hyperv", .. Lore(lore, cache), .. Reports(reports)]);
        Assert.Equal(1, wall.ExitCode);
        Assert.True(wall.Stderr.Contains("t.mbox.gz: not a gzipped mbox (text/html, page titled 'Making sure you're not a bot!')", StringComparison.Ordinal), wall.Stderr);
        Assert.Equal(before, File.ReadAllText(file));
    }

    [Fact]
    public async Task Bad_input_is_refused_with_a_message_and_a_published_month_is_never_overwritten()
    {
        var reports = Directory.CreateTempSubdirectory("kd-reports-").FullName;
        var published = Path.Combine(reports, "2020-09.md");
        File.Copy(Path.Combine(BotProcess.RepoRoot, "config", "reports", "2020-09.md"), published);
        var original = File.ReadAllText(published);

        var badMonth = await BotProcess.RunAsync(["draft", "--month", "2020-13", .. Reports(reports)]);
        Assert.Equal(2, badMonth.ExitCode);
        Assert.Contains("error: --month '2020-13' is not a month in the form YYYY-MM", badMonth.Stderr, StringComparison.Ordinal);
        var badSubsystem = await BotProcess.RunAsync(["draft", "--month", "2020-09", "--subsystem", "nosuch", .. Reports(reports)]);
        Assert.Contains("--subsystem 'nosuch' matches no subsystem", badSubsystem.Stderr, StringComparison.Ordinal);
        var noLore = await BotProcess.RunAsync(["draft", "--month", "2020-09", "--subsystem", "scheduler", .. Reports(reports)]);
        Assert.Contains("subsystem 'scheduler' has no lore inboxes", noLore.Stderr, StringComparison.Ordinal);
        var badUrl = await BotProcess.RunAsync(["draft", "--month", "2020-09", "--Lore:BaseUrl=lore.example", .. Reports(reports)]);
        Assert.Equal(2, badUrl.ExitCode);
        Assert.Contains("Lore:BaseUrl 'lore.example' is not an http(s) address", badUrl.Stderr, StringComparison.Ordinal);

        var overwrite = await BotProcess.RunAsync(["draft", "--month", "2020-09", "--out", published, "--Lore:BaseUrl=http://127.0.0.1:9", .. Reports(reports)]);
        Assert.Equal(1, overwrite.ExitCode);
        Assert.Contains("is a published report; a draft never overwrites one. Write the draft elsewhere with --out FILE", overwrite.Stderr, StringComparison.Ordinal);
        Assert.Equal(original, File.ReadAllText(published));

        var broken = Path.Combine(reports, "2020-10.md");
        File.WriteAllText(broken, "---\nmonth: 2020-10\ntitle: October\nstatus: draft\n---\n\n## An entry before any section\n");
        var publish = await BotProcess.RunAsync(["publish", "2020-10", .. Reports(reports)]);
        Assert.Equal(1, publish.ExitCode);
        Assert.Contains($"{broken}:7:", publish.Stderr, StringComparison.Ordinal);
        Assert.Contains("2020-10 stays as it is", publish.Stderr, StringComparison.Ordinal);
        Assert.Contains("status: draft", File.ReadAllText(broken), StringComparison.Ordinal);
        var missing = await BotProcess.RunAsync(["preview", "2021-01", .. Reports(reports)]);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("2021-01.md does not exist (draft it with: draft --month 2021-01)", missing.Stderr, StringComparison.Ordinal);
    }
}
