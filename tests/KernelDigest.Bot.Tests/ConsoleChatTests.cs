namespace KernelDigest.Bot.Tests;

/// <summary>The no-token default: `dotnet run` opens a console chat over the bundled reports.</summary>
public sealed class ConsoleChatTests
{
    [Fact]
    public async Task Console_chat_answers_pages_switches_language_and_ends_at_end_of_input()
    {
        var session = string.Join('\n',
            "/patch virtio",
            "/more",
            "/lang en",
            "/subsystem kvm",
            "/nonsense",
            "/patch") + "\n";

        var run = await BotProcess.RunAsync([], session);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("搜索:virtio", run.Stdout);
        Assert.Contains("i2c:virtio: add a virtio i2c frontend driver", run.Stdout);
        Assert.Contains("Language: English", run.Stdout);
        Assert.Contains("Virtualization · 2020-09", run.Stdout);
        Assert.Contains("Unknown command /nonsense", run.Stdout);
        Assert.Contains("Usage: /patch <keywords>", run.Stdout);
        Assert.DoesNotContain("   at ", run.Stderr);
    }

    [Fact]
    public async Task Console_chat_quits_on_request()
    {
        var run = await BotProcess.RunAsync([], "/quit\n/patch never answered\n");

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("never answered", run.Stdout);
    }
}
