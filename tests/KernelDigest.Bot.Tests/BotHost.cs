using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KernelDigest.Bot.Tests;

/// <summary>
/// The real bot running as a long-lived process (as in production), configured through environment variables, with
/// its output captured for assertions. Stop sends SIGTERM so the app shuts down as it would under systemd or Docker.
/// </summary>
public sealed class BotHost : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private BotHost(Process process, string dataDirectory, int? port)
    {
        _process = process;
        DataDirectory = dataDirectory;
        Port = port;
    }

    public string DataDirectory { get; }
    public int? Port { get; }
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}");

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public static int FreePort()
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
        var port = (int?)FreePort();
        var start = BotProcess.StartInfo(data, args ?? []);
        start.Environment["Storage__DataDirectory"] = data;
        start.Environment["Reports__IndexCacheDirectory"] = Path.Combine(data, "index");
        start.Environment["Logging__LogLevel__Default"] = "Information";
        if (port is { } p)
            start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{p}";
        foreach (var (key, value) in settings)
            start.Environment[key] = value;
        var process = Process.Start(start)!;
        var host = new BotHost(process, data, port);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (host._stdout) host._stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (host._stderr) host._stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Waits until the bot's log says something (e.g. that it started), failing with its output if it exits first.</summary>
    public async Task WaitForLog(string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            if (Stderr.Contains(text, StringComparison.Ordinal) || Stdout.Contains(text, StringComparison.Ordinal))
                return;
            if (_process.HasExited)
                throw new InvalidOperationException($"the bot exited ({_process.ExitCode}) before logging '{text}'.\nstderr:\n{Stderr}\nstdout:\n{Stdout}");
            await Task.Delay(50);
        }
        throw new TimeoutException($"the bot did not log '{text}'.\nstderr:\n{Stderr}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>Waits until the web server accepts connections (it starts after the hosted services).</summary>
    public async Task WaitForHttpAsync(TimeSpan? timeout = null)
    {
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                using var _ = await http.GetAsync(BaseUrl);
                return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Awaits a test step; if it fails, the failure carries the bot's log, which says why.</summary>
    public async Task<T> Within<T>(Task<T> step)
    {
        try
        {
            return await step;
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            throw new TimeoutException($"{ex.Message}\n--- bot stderr ---\n{Stderr}", ex);
        }
    }

    /// <summary>Graceful stop (SIGTERM), as a service manager would do it.</summary>
    public async Task StopAsync()
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

    public async ValueTask DisposeAsync()
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
