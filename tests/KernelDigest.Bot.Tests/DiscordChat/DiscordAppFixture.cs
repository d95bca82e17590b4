using KernelDigest.Bot.Tests.DiscordDouble;

namespace KernelDigest.Bot.Tests.DiscordChat;

/// <summary>
/// One running bot per test class: the app with Discord configured (commands registered to a dev guild)
/// against a <see cref="FakeDiscordApi"/>, over the bundled 2020-09 report and the synthetic <see cref="ZebrafishReport"/>.
/// </summary>
public class DiscordAppFixture : IAsyncLifetime
{
    public const string DevGuildId = "111111111111111111";

    private string _work = null!;

    public FakeDiscordApi Discord { get; private set; } = null!;

    public InteractionSigner Signer { get; } = new();

    public DiscordApp App { get; private set; } = null!;

    /// <summary>Extra settings for the bot.</summary>
    protected virtual IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string> { ["Discord:DevGuildId"] = DevGuildId };

    /// <summary>Runs before the bot starts (e.g. a double its settings point at).</summary>
    protected virtual Task PrepareAsync() => Task.CompletedTask;

    /// <summary>Runs after the bot has stopped.</summary>
    protected virtual ValueTask CleanUpAsync() => ValueTask.CompletedTask;

    public async Task InitializeAsync()
    {
        await PrepareAsync();
        Discord = await FakeDiscordApi.StartAsync();
        _work = Directory.CreateTempSubdirectory("kd-discord-").FullName;
        var reports = Path.Combine(_work, "reports");
        ZebrafishReport.WriteInto(reports);
        App = await DiscordApp.StartAsync(DiscordApp.Settings(Discord, Signer.PublicKeyHex, reports, ExtraSettings), _work);
    }

    public async Task DisposeAsync()
    {
        if (App is not null)
            await App.DisposeAsync();
        if (Discord is not null)
            await Discord.DisposeAsync();
        await CleanUpAsync();
        Signer.Dispose();
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // A scratch folder left behind in /tmp is harmless.
        }
    }
}

/// <summary>A bot that defers every command (Discord:DeferAfterMilliseconds=0), to exercise the follow-up path.</summary>
public sealed class DeferringDiscordAppFixture : DiscordAppFixture
{
    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string> { ["Discord:DeferAfterMilliseconds"] = "0" };
}
