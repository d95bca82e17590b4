using KernelDigest.Bot.Conversation;
using KernelDigest.Core.Commands;
using KernelDigest.Bot.Reports;
using KernelDigest.Bot.Storage;
using KernelDigest.Bot.Subscriptions;
using KernelDigest.Bot.TelegramChat;
using KernelDigest.Bot.Tests.TelegramDouble;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KernelDigest.Bot.Tests.Subscriptions;

/// <summary>
/// The subscription feature wired as the app wires it (reports, storage, Telegram, subscriptions), in-process, against
/// the Bot API double and a real database. The host is built, not run: tests drive the planner and dispatcher.
/// </summary>
public sealed class SubscriptionsHarness : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DepartureRecorder _departures;

    private SubscriptionsHarness(WebApplication app, DepartureRecorder departures)
    {
        _app = app;
        _departures = departures;
    }

    /// <summary>When each request left the bot's HTTP client for the Bot API (after pacing, before the network).</summary>
    public IReadOnlyList<DateTimeOffset> Departures => _departures.Times;

    public IServiceProvider Services => _app.Services;
    public SubscriptionStore Store => Services.GetRequiredService<SubscriptionStore>();
    public DigestPlanner Planner => Services.GetRequiredService<DigestPlanner>();
    public DeliveryDispatcher Dispatcher => Services.GetRequiredService<DeliveryDispatcher>();
    public IChatCommands Commands => Services.GetRequiredService<IChatCommands>();

    public static async Task<SubscriptionsHarness> StartAsync(FakeBotApi api, StorageOptions storage, Dictionary<string, string?>? extra = null, TimeProvider? time = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Telegram:BotToken"] = api.Token,
            ["Telegram:ApiBaseUrl"] = api.BaseUrl.ToString(),
        };
        foreach (var (k, v) in extra ?? [])
            settings[k] = v;
        var builder = CreateBuilder(storage, Path.Combine(BotProcess.RepoRoot, "config", "reports"), settings, time);
        builder.AddSubscriptions();
        builder.AddConversation();
        builder.AddTelegram();
        var departures = new DepartureRecorder();
        builder.Services.AddHttpClient("telegram").AddHttpMessageHandler(() => new DepartureHandler(departures));
        return new SubscriptionsHarness(await BuildAsync(builder), departures);
    }

    /// <summary>
    /// The part both platforms' harnesses share: the bundled subsystems and glossary, <paramref name="reportsDirectory"/>,
    /// the database, a short claim timeout, quiet logs, and the reports and storage features; <paramref name="settings"/>
    /// add to or override those. The caller adds its platform and the subscriptions, then calls <see cref="BuildAsync"/>.
    /// </summary>
    internal static WebApplicationBuilder CreateBuilder(StorageOptions storage, string reportsDirectory, IDictionary<string, string?> settings, TimeProvider? time = null)
    {
        var builder = WebApplication.CreateBuilder();
        var all = new Dictionary<string, string?>
        {
            ["Reports:Directory"] = reportsDirectory,
            ["Reports:SubsystemsFile"] = Path.Combine(BotProcess.RepoRoot, "config", "subsystems.yaml"),
            ["Reports:GlossaryFile"] = Path.Combine(BotProcess.RepoRoot, "config", "glossary.yaml"),
            ["Reports:IndexCacheDirectory"] = "",
            ["Storage:Provider"] = storage.Provider.ToString(),
            ["Storage:ConnectionString"] = storage.ConnectionString,
            ["Storage:DataDirectory"] = storage.DataDirectory,
            ["Digest:ClaimTimeout"] = "00:00:02",
            // Test doubles send as one user by default, far over the flood limits; a test of the limits sets its own.
            ["Flood:PerUser"] = "100000",
            ["Flood:PerChat"] = "100000",
        };
        foreach (var (k, v) in settings)
            all[k] = v;
        builder.Configuration.AddInMemoryCollection(all);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (time is not null)
            builder.Services.AddSingleton(time); // before the features, whose registration only adds a clock if none is there
        builder.AddReports();
        builder.AddStorage();
        return builder;
    }

    /// <summary>Builds the app and migrates its database, as the running bot does at start.</summary>
    internal static async Task<WebApplication> BuildAsync(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        await app.Services.GetRequiredService<Database>().MigrateAsync(CancellationToken.None);
        return app;
    }

    /// <summary>Subscribes chats 1..n (private chats) with the given filter.</summary>
    public async Task SubscribeManyAsync(int n, string filter = "", long firstChat = 1, string lang = "zh-CN")
    {
        for (var i = 0; i < n; i++)
            await Store.SubscribeAsync(new ChatAddress(Platform.Telegram, (firstChat + i).ToString(System.Globalization.CultureInfo.InvariantCulture)), lang, filter, "test", CancellationToken.None);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync(); // disposes the database with the container
}
