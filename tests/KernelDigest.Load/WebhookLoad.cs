using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace KernelDigest.Load;

/// <summary>
/// The Telegram webhook path under load: the real bot process in webhook mode (answers in the response body) against
/// <see cref="BotApiStub"/>, driven by wrk (Debian's package) with a mix of commands over loopback.
/// </summary>
internal static partial class WebhookLoad
{
    private const string Secret = "load-secret";

    private const string Script = """
        wrk.method = "POST"
        wrk.headers["Content-Type"] = "application/json"
        wrk.headers["X-Telegram-Bot-Api-Secret-Token"] = "load-secret"
        local texts = { "/patch TDP MMU", "/patch 总线锁", "/patch RWF_NOAPPEND", "/patch fchmod", "/patch blk-iocost subsystem:fs", "/help", "/patch Lendacky" }
        local n = FIRST_ID
        request = function()
          n = n + 1
          local text = texts[(n % #texts) + 1]
          local body = string.format('{"update_id":%d,"message":{"message_id":%d,"date":1700000000,"chat":{"id":%d,"type":"private"},"from":{"id":7,"is_bot":false,"first_name":"u","language_code":"en"},"text":"%s"}}', n, n, 1000 + n % 500, text)
          return wrk.format(nil, nil, nil, body)
        end
        """;

    public static async Task<int> RunAsync(int seconds, int connections, string repo)
    {
        await using var api = new BotApiStub(int.MaxValue);
        await api.StartAsync();
        var port = BotProcess.FreePort();
        var data = Directory.CreateTempSubdirectory("kd-webhook-").FullName;
        using var bot = BotProcess.Start(repo, data, port, new Dictionary<string, string>
        {
            ["Telegram__BotToken"] = "123:LOAD",
            ["Telegram__ApiBaseUrl"] = api.BaseUrl,
            ["Telegram__Mode"] = "webhook",
            ["Telegram__WebhookUrl"] = "https://bot.example.org/telegram/webhook",
            ["Telegram__WebhookSecret"] = Secret,
            ["Reports__Directory"] = Path.Combine(repo, "config", "reports"),
            ["Reports__IndexCacheDirectory"] = Path.Combine(data, "index"),
            ["Logging__LogLevel__Default"] = "Warning", // a log line per update would measure the console
            // Every update here comes from one user: this measures answering, not the flood limits (the fault suite does).
            ["Flood__PerUser"] = "100000",
            ["Flood__PerChat"] = "100000",
        });
        try
        {
            var url = $"http://127.0.0.1:{port}/telegram/webhook";
            await WaitReady(url);
            var script = Path.Combine(data, "updates.lua");
            // Warm up (JIT, index), then measure. Every update has an id of its own, as Telegram's do: the bot answers
            // a repeated id once (a webhook retry), so the measured run starts past the warm-up's ids.
            await File.WriteAllTextAsync(script, Script.Replace("FIRST_ID", "1000000", StringComparison.Ordinal));
            await Wrk(["-t1", "-c8", "-d3s", "-s", script, url]);
            await File.WriteAllTextAsync(script, Script.Replace("FIRST_ID", "500000000", StringComparison.Ordinal));
            var output = await Wrk(["-t1", $"-c{connections}", $"-d{seconds}s", "--latency", "-s", script, url]);
            Console.WriteLine(output);
            var rps = double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
            var p50 = Latency(output, "50%");
            var p99 = Latency(output, "99%");
            Console.WriteLine("| connections | seconds | updates/s | p50 ms | p99 ms | non-2xx |");
            Console.WriteLine("|---|---|---|---|---|---|");
            var non2xx = Non2xx().Match(output) is { Success: true } m ? m.Groups[1].Value : "0";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {connections} | {seconds} | {rps:F0} | {p50:F2} | {p99:F2} | {non2xx} |"));
            return rps >= 3000 && p99 <= 10 ? 0 : 1;
        }
        finally
        {
            bot.Kill(entireProcessTree: true);
        }
    }

    private static async Task WaitReady(string url)
    {
        using var http = new HttpClient();
        for (var i = 0; i < 300; i++)
        {
            try
            {
                using var content = new StringContent($$$"""{"update_id":{{{i + 1}}},"message":{"message_id":1,"date":1,"chat":{"id":1,"type":"private"},"text":"/help"}}""", Encoding.UTF8, "application/json");
                content.Headers.Add("X-Telegram-Bot-Api-Secret-Token", Secret);
                using var r = await http.PostAsync(url, content);
                var body = await r.Content.ReadAsStringAsync();
                if (r.IsSuccessStatusCode && body.Contains("\"method\":\"sendMessage\"", StringComparison.Ordinal))
                    return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("the bot did not answer its webhook");
    }

    private static async Task<string> Wrk(string[] args)
    {
        using var wrk = Process.Start(new ProcessStartInfo("wrk", args) { RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("wrk is not installed: apt-get install -y wrk");
        var output = await wrk.StandardOutput.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        return output;
    }

    private static double Latency(string output, string percentile)
    {
        var m = Regex.Match(output, $@"^\s*{Regex.Escape(percentile)}\s+([\d.]+)(us|ms|s)", RegexOptions.Multiline);
        var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex Non2xx();
}
