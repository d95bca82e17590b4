using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KernelDigest.Bot.Tests;

/// <summary>
/// The real bot running as a long-lived process (as in production), configured through environment variables, with
/// its output captured for assertions. Stop sends SIGTERM so the app shuts down as it would under systemd or Docker.
/// Only for what needs a process of its own: a kill -9, two instances side by side, the exit code; everything else
/// runs the app in the test process (<see cref="InProcessBot"/>), which starts in a fraction of the time.
/// </summary>
public sealed class BotHost : RunningBot
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private BotHost(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    /// <summary>Where the process serves HTTP (a free loopback port unless the settings chose one).</summary>
    public Uri BaseUrl { get; }

    /// <summary>The operating system's id of the process: what a claim or a lease names as its holder, and where /proc/&lt;pid&gt;/status is.</summary>
    public int ProcessId => _process.Id;

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the bot with these settings (as environment variables, e.g. Telegram__BotToken).</summary>
    public static BotHost Start(IDictionary<string, string> settings, string? dataDirectory = null, IEnumerable<string>? args = null)
    {
        var data = dataDirectory ?? Directory.CreateTempSubdirectory("kd-data-").FullName;
        // Always a free port: two bots started by parallel tests must never both take ASP.NET's default 5000.
        var start = BotProcess.StartInfo(data, args ?? []);
        start.Environment["Storage__DataDirectory"] = data;
        start.Environment["Reports__IndexCacheDirectory"] = Path.Combine(data, "index");
        start.Environment["Logging__LogLevel__Default"] = "Information";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort()}";
        // Test doubles send as one user by default, far over the flood limits; a test of the limits sets its own.
        start.Environment["Flood__PerUser"] = "100000";
        start.Environment["Flood__PerChat"] = "100000";
        foreach (var (key, value) in settings)
            start.Environment[key] = value;
        var process = Process.Start(start)!;
        var host = new BotHost(process, new Uri(start.Environment["ASPNETCORE_URLS"]!.Split(';')[0]));
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (host._stdout) host._stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (host._stderr) host._stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    public override string Logs => Stderr + Stdout;


    /// <summary>True once the process has ended (by itself, or killed).</summary>
    public bool HasExited => _process.HasExited;

    protected override string? Ended => _process.HasExited ? $"exited ({_process.ExitCode})" : null;

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>Graceful stop (SIGTERM), as a service manager would do it.</summary>
    public override async Task StopAsync()
    {
        if (_process.HasExited)
            return;
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        try
        {
            await WaitForExitAsync(TimeSpan.FromSeconds(20));
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Abrupt death (SIGKILL): no shutdown code runs, as in a crash.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            _process.Dispose();
        }
    }
}
