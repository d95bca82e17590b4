namespace KernelDigest.Bot.Tests.Cli;

/// <summary>The editor's workflow: import a newsletter, check the folder.</summary>
public sealed class ImportAndCheckTests
{
    private static string Fixture => Path.Combine(BotProcess.RepoRoot, "tests", "KernelDigest.Core.Tests", "Fixtures", "newsletter-2020-09.txt");

    [Fact]
    public async Task Import_writes_the_shipped_report_file()
    {
        var dir = Directory.CreateTempSubdirectory("kd-import-").FullName;
        var output = Path.Combine(dir, "2020-09.md");

        var run = await BotProcess.RunAsync(["import", Fixture, "--out", output]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("3 sections, 15 entries", run.Stderr);
        Assert.Equal(File.ReadAllText(Path.Combine(BotProcess.RepoRoot, "config", "reports", "2020-09.md")), File.ReadAllText(output));
    }

    [Fact]
    public async Task Import_reports_lines_it_cannot_place_with_their_numbers()
    {
        var dir = Directory.CreateTempSubdirectory("kd-import-").FullName;
        var raw = Path.Combine(dir, "raw.txt");
        File.WriteAllText(raw, "Linux阅码场 - Linux内核月报(2021年01月)\n\n1. 虚拟化\n\nJane Doe-Add a thing\n\n描述。\n\n(END)\n\nstray words after the end\n");

        var run = await BotProcess.RunAsync(["import", raw]);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("month: 2021-01", run.Stdout);
        Assert.Contains("## Add a thing", run.Stdout);
        Assert.Contains($"{raw}:11:", run.Stderr);
        Assert.Contains("stray words after the end", run.Stderr);
    }

    [Fact]
    public async Task Check_passes_on_the_bundled_reports()
    {
        var run = await BotProcess.RunAsync(["check", Path.Combine(BotProcess.RepoRoot, "config", "reports")]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("1 report(s), 15 entries, ok", run.Stdout);
    }

    [Fact]
    public async Task Check_names_file_and_line_of_each_error_and_exits_1()
    {
        var dir = Directory.CreateTempSubdirectory("kd-check-").FullName;
        File.Copy(Path.Combine(BotProcess.RepoRoot, "config", "reports", "2020-09.md"), Path.Combine(dir, "2020-09.md"));
        var broken = Path.Combine(dir, "2020-10.md");
        File.WriteAllText(broken, "---\nmonth: 2020-10\ntitle: October\n---\n\n## An entry before any section\n");

        var run = await BotProcess.RunAsync(["check", dir]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{broken}:6:", run.Stderr);
        Assert.Contains("1 report(s), 15 entries, 1 error(s)", run.Stdout);
    }
}
