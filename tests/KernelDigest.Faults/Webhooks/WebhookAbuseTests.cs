using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using KernelDigest.Bot.Tests;
using KernelDigest.Bot.Tests.TelegramDouble;

namespace KernelDigest.Faults.Webhooks;

/// <summary>
/// Issue 16 §3.4, the rest of webhook abuse: the real bot in Telegram webhook mode on Kestrel, while 5,000 connections
/// are held open without a request, 100 slow senders trickle a body a byte at a time, and 20 bodies of 2 MiB arrive
/// with the right secret. Updates from other chats keep being answered in the HTTP response, promptly, and the
/// process's memory stays bounded.
/// </summary>
public sealed class WebhookAbuseTests(ITestOutputHelper output)
{
    private const string Secret = "fault-suite-webhook-secret";
    private const int IdleConnections = 5000;
    private const int SlowSenders = 100;
    private const int Oversized = 20;
    private const int Probes = 100;

    /// <summary>What "promptly" means here, on a loaded two-core machine.</summary>
    private static readonly TimeSpan Target = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Idle_connections_slow_senders_and_oversized_bodies_leave_other_chats_answered_promptly_in_bounded_memory()
    {
        await using var api = await FakeBotApi.StartAsync();
        await using var bot = await InProcessBot.StartAsync(Bot.Tests.TelegramChat.TelegramPollingTests.WebhookSettings(api, Secret));
        await bot.WaitForLog("started (webhook)", TimeSpan.FromSeconds(60));
        var endpoint = new Uri(bot.BaseUrl, "/telegram/webhook");
        using var http = new HttpClient();
        await AskAsync(api, http, endpoint, 1); // warm: the figures measure the abuse, not the first search
        GC.Collect();
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);

        // 5,000 connections that never send a request.
        var idle = new List<TcpClient>(IdleConnections);
        try
        {
            for (var i = 0; i < IdleConnections; i++)
            {
                var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, endpoint.Port);
                idle.Add(client);
            }

            // Slow senders: headers at once, then a 1,000-byte body a byte a second, far under Kestrel's minimum rate.
            using var stopSlow = new CancellationTokenSource();
            var slow = Enumerable.Range(0, SlowSenders).Select(_ => TrickleAsync(endpoint, stopSlow.Token)).ToList();

            // Bodies over the limit, with the right secret: refused without being read whole.
            var oversized = await Task.WhenAll(Enumerable.Range(0, Oversized).Select(async _ =>
            {
                // Valid JSON as far as it goes, so what stops it is the size, not the parser.
                var body = Encoding.UTF8.GetBytes("{\"update_id\": 1, \"message\": {\"text\": \"" + new string('a', 2 << 20) + "\"}}");
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = content };
                request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", Secret);
                try
                {
                    using var response = await http.SendAsync(request);
                    return (int)response.StatusCode;
                }
                catch (HttpRequestException)
                {
                    return 0; // the server closed the connection after refusing: refused either way
                }
            }));

            // Meanwhile other chats ask, four at a time.
            var latencies = new List<TimeSpan>();
            var gate = new SemaphoreSlim(4);
            await Task.WhenAll(Enumerable.Range(0, Probes).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    var took = await AskAsync(api, http, endpoint, 100 + i);
                    lock (latencies)
                        latencies.Add(took);
                }
                finally
                {
                    gate.Release();
                }
            }));
            var memoryDuring = GC.GetTotalMemory(forceFullCollection: true);
            // The slow senders are left to the server, which cuts a body arriving under its minimum rate after a grace.
            var slowClock = Stopwatch.StartNew();
            stopSlow.CancelAfter(TimeSpan.FromSeconds(30));
            var slowOutcomes = await Task.WhenAll(slow);
            var slowFor = slowClock.Elapsed;

            latencies.Sort();
            var p50 = latencies[latencies.Count / 2];
            var p99 = latencies[(int)(latencies.Count * 0.99)];
            var growth = (memoryDuring - memoryBefore) / (1024.0 * 1024);
            var cutOff = slowOutcomes.Count(o => o);
            Figures.Print(output, "webhook-abuse",
                $"{IdleConnections} idle connections, {SlowSenders} slow senders ({cutOff} cut off by the server within {slowFor.TotalSeconds:0} s more), {Oversized} bodies of 2 MiB " +
                $"(answers: {string.Join(", ", oversized.GroupBy(s => s).Select(g => $"{g.Count()}× {(g.Key == 0 ? "closed" : g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture))}"))}): " +
                $"{latencies.Count}/{Probes} other chats answered in the response, p50 {p50.TotalMilliseconds:0} ms, p99 {p99.TotalMilliseconds:0} ms; " +
                $"managed heap (bot and test together, after a full collection) +{growth:0} MB");

            Assert.All(oversized, s => Assert.True(s is 413 or 0, $"a 2 MiB body got {s}"));
            Assert.Contains(413, oversized);
            Assert.Equal(SlowSenders, cutOff);
            Assert.Equal(Probes, latencies.Count);
            Assert.True(p99 <= Target, $"p99 {p99.TotalMilliseconds:0} ms over the {Target.TotalMilliseconds:0} ms target");
            Assert.True(growth < 256, $"managed memory grew {growth:0} MB");
        }
        finally
        {
            foreach (var client in idle)
                client.Dispose();
        }
    }

    /// <summary>One update from a chat, answered in the webhook response; how long it took.</summary>
    private static async Task<TimeSpan> AskAsync(FakeBotApi api, HttpClient http, Uri endpoint, long chat)
    {
        var clock = Stopwatch.StartNew();
        using var response = await api.PostUpdateToWebhook(endpoint, api.MessageUpdate(chat, "/patch TDP MMU", languageCode: "en"), Secret);
        var took = clock.Elapsed;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("sendMessage", body.RootElement.GetProperty("method").GetString());
        Assert.Contains("Introducethe TDP MMU", body.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
        return took;
    }

    /// <summary>Sends headers, then a byte a second of the body; true when the server cut the connection.</summary>
    private static async Task<bool> TrickleAsync(Uri endpoint, CancellationToken stop)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, endpoint.Port, stop);
        var stream = client.GetStream();
        var head = $"POST {endpoint.AbsolutePath} HTTP/1.1\r\nHost: {endpoint.Authority}\r\nContent-Type: application/json\r\n" +
                   $"X-Telegram-Bot-Api-Secret-Token: {Secret}\r\nContent-Length: 1000\r\n\r\n";
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), stop);
            for (var i = 0; i < 1000 && !stop.IsCancellationRequested; i++)
            {
                await stream.WriteAsync("{"u8.ToArray(), stop);
                await Task.Delay(1000, stop);
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
        return false;
    }
}
