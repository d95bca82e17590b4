using KernelDigest.Bot.DiscordChat;
using KernelDigest.Bot.Tests.DiscordDouble;

namespace KernelDigest.Bot.Tests.DiscordChat;

/// <summary>Start-up of the app with Discord configured: command registration, and what stops it.</summary>
public sealed class DiscordStartupTests : IAsyncLifetime
{
    private static readonly InteractionSigner Signer = new();
    private string _work = null!;
    private string _reports = null!;

    public Task InitializeAsync()
    {
        _work = Directory.CreateTempSubdirectory("kd-discord-start-").FullName;
        _reports = Path.Combine(_work, "reports");
        ZebrafishReport.WriteInto(_reports);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Commands_are_registered_globally_once_and_an_unchanged_definition_is_not_written_again()
    {
        await using var discord = await FakeDiscordApi.StartAsync();

        await using (await DiscordApp.StartAsync(DiscordApp.Settings(discord, Signer.PublicKeyHex, _reports), _work))
        {
            Assert.Single(discord.CommandWrites(null));
        }
        await using (var second = await DiscordApp.StartAsync(DiscordApp.Settings(discord, Signer.PublicKeyHex, _reports), _work))
        {
            Assert.Single(discord.CommandWrites(null));
            Assert.Contains("Discord commands (global) are up to date", second.Logs, StringComparison.Ordinal);
        }

        var reads = discord.Requests.Where(r => r.Method == "GET" && r.Path == discord.CommandsPath(null)).ToList();
        Assert.Equal(2, reads.Count);
        Assert.All(reads, r => Assert.Equal("?with_localizations=true", r.Query));
        Assert.Equal(DiscordCommands.Definitions.Count, discord.Commands(null).Count);
        var subscribe = discord.Commands(null).Single(c => (string)c!["name"]! == "subscribe")!;
        Assert.Equal(DiscordCommands.ChangeChatState, (string)subscribe["default_member_permissions"]!);
        Assert.Equal("48", DiscordCommands.ChangeChatState);
        Assert.Equal(0, discord.EarlyRequests);
    }

    [Fact]
    public async Task A_refused_bot_token_stops_start_up_naming_the_setting_after_one_request()
    {
        await using var discord = await FakeDiscordApi.StartAsync();
        var settings = DiscordApp.Settings(discord, Signer.PublicKeyHex, _reports, new Dictionary<string, string> { ["Discord:BotToken"] = "not-the-token" });

        var output = await InProcessBot.StartupFailureAsync(settings);

        Assert.Contains("Discord refused the bot token", output, StringComparison.Ordinal);
        Assert.Contains("Discord:BotToken", output, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-token", output, StringComparison.Ordinal);
        var request = Assert.Single(discord.Requests);
        Assert.Equal(401, request.Status);
    }

    [Fact]
    public async Task Missing_settings_stop_start_up_naming_each_one()
    {
        var settings = new Dictionary<string, string>
        {
            ["Discord:ApplicationId"] = "787053080478613554",
            ["Discord:PublicKey"] = "not-a-key",
            ["Reports:Directory"] = _reports,
        };

        var output = await InProcessBot.StartupFailureAsync(settings);

        Assert.Contains("Discord:PublicKey", output, StringComparison.Ordinal);
        Assert.Contains("Discord:BotToken", output, StringComparison.Ordinal);
        Assert.Contains("Discord__BotToken", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Discord:ApplicationId", output, StringComparison.Ordinal);
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
        return Task.CompletedTask;
    }
}
