using System.Text.Json;

namespace KernelDigest.Bot.Tests.Cli;

/// <summary>The <c>ask</c> verb as a script would use it: real process, real bundled reports.</summary>
public sealed class AskTests
{
    [Fact]
    public async Task Ask_json_prints_exactly_one_object_with_the_ranked_results()
    {
        var run = await BotProcess.RunAsync(["ask", "--json", "/patch TDP MMU"]);

        Assert.Equal(0, run.ExitCode);
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        Assert.Equal("/patch TDP MMU", root.GetProperty("query").GetString());
        Assert.Equal("patch", root.GetProperty("command").GetString());
        var first = root.GetProperty("results")[0];
        Assert.Contains("TDP MMU", first.GetProperty("title").GetString());
        Assert.Equal("2020-09", first.GetProperty("month").GetString());
        Assert.Equal("virtualization", first.GetProperty("subsystem").GetString());
        Assert.Equal("Ben Gardon", first.GetProperty("authors")[0].GetString());
        Assert.True(first.GetProperty("score").GetSingle() > 0);
        Assert.Contains("TDP MMU", root.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Ask_dash_answers_every_line_and_one_bad_line_does_not_stop_the_rest()
    {
        var input = string.Join('\n',
            "/patch blk-iocost",
            "/frobnicate",
            "/patch " + new string('x', 10_000),
            "/month 2019-01",
            "/subsystem kvm",
            "/month",
            "fchmodat2") + "\n";

        var run = await BotProcess.RunAsync(["ask", "--json", "-"], input);

        Assert.Equal(0, run.ExitCode);
        var answers = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(7, answers.Count);
        Assert.Contains("blk-iocost", answers[0].GetProperty("results")[0].GetProperty("title").GetString());
        Assert.Contains("/patch", answers[1].GetProperty("error").GetString()); // unknown command → the help
        Assert.Contains("256", answers[2].GetProperty("error").GetString());    // refused, naming the limit
        Assert.Contains("2020-09", answers[3].GetProperty("error").GetString()); // the months loaded
        Assert.Equal(8, answers[4].GetProperty("results").GetArrayLength());
        Assert.Equal(15, answers[5].GetProperty("results").GetArrayLength());
        Assert.Contains("fchmodat2", answers[6].GetProperty("results")[0].GetProperty("title").GetString());
        Assert.DoesNotContain("   at ", run.Stderr); // no stack traces
    }

    [Fact]
    public async Task Ask_in_english_answers_in_english_and_leaves_report_text_as_written()
    {
        var run = await BotProcess.RunAsync(["ask", "--lang", "en", "/patch 总线锁"]);

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("Search: 总线锁", run.Stdout);
        Assert.Contains("add bus lock VM exit support", run.Stdout);
        Assert.Contains("虚拟机可以使用总线锁降低系统的性能", run.Stdout);
    }

    [Fact]
    public async Task Control_characters_and_markup_are_shown_literally()
    {
        var run = await BotProcess.RunAsync(["ask", "/patch <b>x</b> & \u001b[31mred"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("<b>x</b> &", run.Stdout);
        Assert.Contains("␛[31mred", run.Stdout);
        Assert.False(run.Stdout.Contains('\u001b', StringComparison.Ordinal), "an escape character reached the terminal");
    }

    [Fact]
    public async Task Ask_without_a_message_prints_usage_and_exits_2()
    {
        var run = await BotProcess.RunAsync(["ask"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("ask needs a message", run.Stderr);
        Assert.Empty(run.Stdout);
    }
}
