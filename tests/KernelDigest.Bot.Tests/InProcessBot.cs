using System.Net;
using System.Text;
using KernelDigest.Bot.ConsoleChat;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;

namespace KernelDigest.Bot.Tests;

/// <summary>
/// The real app — <see cref="Program"/>, wired as in production — hosted in the test process by
/// <see cref="WebApplicationFactory{TEntryPoint}"/> on Kestrel on a loopback port, so the doubles and the tests reach
/// it over HTTP. Settings are host settings, which Program sees while it builds (its <c>Add…</c> methods read them
/// then); logs go to memory. Each bot gets its own data directory.
/// </summary>
public sealed class InProcessBot : RunningBot
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly AppFactory _factory;
    private readonly LogCapture _log;
    private int _stopped;

    private InProcessBot(AppFactory factory, LogCapture log, string dataDirectory, Uri baseUrl)
    {
        _factory = factory;
        _log = log;
        DataDirectory = dataDirectory;
        BaseUrl = baseUrl;
    }

    public string DataDirectory { get; }

    /// <summary>Where Kestrel listens, e.g. http://127.0.0.1:41234.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The app's services: the store, the library, the router, as the running app holds them.</summary>
    public IServiceProvider Services => _factory.Services;

    public override string Logs => _log.Text;

    protected override string? Ended => _log.Stopping ? "stopped" : null;

    /// <summary>
    /// Starts the app with these settings — <c>Section:Key</c>, or environment-variable style <c>Section__Key</c> — and
    /// waits until it has started (every hosted service, the web server among them), as <c>dotnet KernelDigest.Bot.dll</c> would.
    /// A start that fails throws <see cref="BotStartupException"/> with what the app logged.
    /// </summary>
    public static async Task<InProcessBot> StartAsync(IReadOnlyDictionary<string, string> settings, string? dataDirectory = null)
    {
        var data = dataDirectory ?? Directory.CreateTempSubdirectory("kd-data-").FullName;
        var log = new LogCapture();
        var factory = new AppFactory(HostSettings(settings, data), log);
        try
        {
            // StartServer blocks until the app has started; keep that off xunit's few test threads.
            await Task.Run(factory.StartServer).WaitAsync(StartTimeout);
            var addresses = factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
            return new InProcessBot(factory, log, data, new Uri(addresses.First()));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            await DisposeQuietlyAsync(factory);
            throw new BotStartupException(log.Text, ex);
        }
    }

    /// <summary>
    /// Starts the app expecting it to refuse to start, and returns what an operator would read: the log and the error
    /// that stopped start-up. Fails the test if the app starts.
    /// </summary>
    public static async Task<string> StartupFailureAsync(IReadOnlyDictionary<string, string> settings)
    {
        InProcessBot bot;
        try
        {
            bot = await StartAsync(settings);
        }
        catch (BotStartupException ex)
        {
            return ex.Output;
        }
        await bot.DisposeAsync();
        throw new Xunit.Sdk.XunitException($"the bot started, but should have refused to.\n--- bot log ---\n{bot.Logs}");
    }

    /// <summary>Stops the app as SIGTERM would: hosted services stop, in-flight work ends, the host is disposed.</summary>
    public override async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
            await _factory.DisposeAsync();
    }

    public override async ValueTask DisposeAsync() => await StopAsync();

    private static Dictionary<string, string> HostSettings(IReadOnlyDictionary<string, string> settings, string data)
    {
        var all = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Storage:DataDirectory"] = data,
            ["Reports:IndexCacheDirectory"] = Path.Combine(data, "index"),
            ["Logging:LogLevel:Default"] = "Information",
            // Test doubles send as one user by default, far over the flood limits; a test of the limits sets its own.
            ["Flood:PerUser"] = "100000",
            ["Flood:PerChat"] = "100000",
            // The test process's environment is the app's too: a token exported in the developer's shell must not
            // switch a platform on. Settings given below override these blanks.
            ["Telegram:BotToken"] = "",
            ["Discord:ApplicationId"] = "",
            ["Discord:PublicKey"] = "",
            ["Discord:BotToken"] = "",
        };
        foreach (var (key, value) in settings)
            all[key.Replace("__", ":", StringComparison.Ordinal)] = value;
        return all;
    }

    private static async Task DisposeQuietlyAsync(AppFactory factory)
    {
        try
        {
            await factory.DisposeAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A host that failed to start may fail to stop too; what the test reports is why it did not start.
        }
    }

    /// <summary>Program, with the test's settings, in-memory logs, and what must differ between apps sharing one process.</summary>
    private sealed class AppFactory : WebApplicationFactory<Program>
    {
        private readonly IReadOnlyDictionary<string, string> _settings;
        private readonly LogCapture _log;

        public AppFactory(IReadOnlyDictionary<string, string> settings, LogCapture log)
        {
            _settings = settings;
            _log = log;
            // Real Kestrel on a free loopback port: the Bot API double and Discord call the app over the network.
            UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment(Environments.Production); // as deployed, not the factory's Development
            foreach (var (key, value) in _settings)
                builder.UseSetting(key, value);
            builder.ConfigureLogging(logging =>
            {
                logging.ClearProviders(); // the console belongs to the test runner
                logging.AddProvider(_log);
            });
            builder.ConfigureServices(services =>
            {
                // Without a platform the app chats on the console, which in here is the test runner's: leave it out.
                foreach (var chat in services.Where(d => d.ImplementationType == typeof(ConsoleChatService)).ToList())
                    services.Remove(chat);
                // Quartz keeps schedulers in a process-wide registry by name: each app here needs its own.
                var scheduler = "kerneldigest-" + Guid.NewGuid().ToString("N");
                services.PostConfigureAll<QuartzSchedulerOptions>(o => o.InstanceName = scheduler);
                services.AddSingleton<IHostedService>(sp => new StopWatcher(sp.GetRequiredService<IHostApplicationLifetime>(), _log));
            });
        }
    }

    /// <summary>Notes when the app begins to stop, whoever stopped it, so waits on its log fail at once.</summary>
    private sealed class StopWatcher(IHostApplicationLifetime lifetime, LogCapture log) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            lifetime.ApplicationStopping.Register(() => log.Stopping = true);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>An in-process app that did not start; <see cref="Output"/> is its log and the error, as stderr would show them.</summary>
public sealed class BotStartupException(string log, Exception error)
    : Exception($"the bot did not start: {error.Message}\n--- bot log ---\n{log}", error)
{
    public string Output { get; } = $"{log}\n{error}";
}

/// <summary>
/// Keeps what an app logs, formatted close to the console logger (level, category, message, exception), so tests
/// can wait for a line and check that no secret was ever logged.
/// </summary>
internal sealed class LogCapture : ILoggerProvider
{
    private readonly StringBuilder _text = new();
    private readonly Lock _gate = new();

    public string Text
    {
        get
        {
            lock (_gate)
                return _text.ToString();
        }
    }

    private volatile bool _stopping;

    public bool Stopping
    {
        get => _stopping;
        set => _stopping = value;
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Append(string line)
    {
        lock (_gate)
            _text.AppendLine(line);
    }

    private sealed class Logger(LogCapture sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
                return;
            var line = $"{logLevel}: {category}[{eventId.Id}] {formatter(state, exception)}";
            sink.Append(exception is null ? line : line + Environment.NewLine + exception);
        }
    }
}
