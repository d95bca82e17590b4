using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using KernelDigest.Bot.Tests;
using KernelDigest.Bot.Tests.TelegramDouble;

namespace KernelDigest.Faults.Webhooks;

/// <summary>
/// Issue 16 §3.4, webhook abuse: the real bot as a process of its own in Telegram webhook mode, while 5,000
/// connections hold a half-sent request open, 50 senders dribble a body a byte a second, and 100 requests announce a
/// body over the webhook's limit. Meanwhile an honest sender's updates are each answered, in the response, within the
/// latency target; the oversized are refused at once; the dribblers are cut off; the bot's resident memory stays
/// bounded. (The same update delivered twice and a replayed interaction are tested beside the webhooks themselves.)
/// </summary>
public sealed class WebhookAbuseProcessTests(ITestOutputHelper output)
{
    private const string Secret = "abuse-Secret_0123456789";
    private const int Idle = 5_000;
    private const int Dribblers = 50;
    private const int Oversized = 100;
    private const int Honest = 200;

    /// <summary>An update answered within this while under attack, at the 99th percentile, on a loaded 2-core machine.</summary>
    private static readonly TimeSpan Target = TimeSpan.FromMilliseconds(500);

    /// <summary>What 5,000 open connections may add to the bot's resident memory.</summary>
    private const double MemoryBoundMb = 150;

    [Fact]
    public async Task Oversized_bodies_slow_senders_and_5000_open_connections_leave_the_webhook_answering_others()
    {
        await using var api = await FakeBotApi.StartAsync();
        var data = Directory.CreateTempSubdirectory("kd-abuse-").FullName;
        await using var bot = BotHost.Start(Bot.Tests.TelegramChat.TelegramPollingTests.WebhookSettings(api, Secret), data);
        await bot.WaitForLog("started (webhook)", TimeSpan.FromSeconds(60));
        var endpoint = new Uri(bot.BaseUrl, "/telegram/webhook");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        var calm = await HonestAsync(api, http, endpoint, firstChat: 1_000);
        var rssCalm = Rss(bot.ProcessId);

        // The attack: idle half-requests first, then dribblers and oversized bodies, then the honest sender again.
        var idle = new List<Socket>(Idle);
        try
        {
            foreach (var batch in Enumerable.Range(0, Idle).Chunk(250))
                idle.AddRange(await Task.WhenAll(batch.Select(_ => HalfRequestAsync(bot.BaseUrl))));
            var dribbling = Enumerable.Range(0, Dribblers).Select(_ => DribbleAsync(bot.BaseUrl)).ToList();
            var oversized = await Task.WhenAll(Enumerable.Range(0, Oversized).Select(i => OversizedAsync(http, endpoint, i)));
            var attacked = await HonestAsync(api, http, endpoint, firstChat: 2_000);
            var rssAttacked = Rss(bot.ProcessId);
            var stillOpen = idle.Count(s => s.Connected && !(s.Poll(0, SelectMode.SelectRead) && s.Available == 0));
            var cutOff = await Task.WhenAll(dribbling);

            Figures.Print(output, "webhook-abuse-process",
                $"{Idle} open half-requests ({stillOpen} still open), {Dribblers} byte-a-second bodies ({cutOff.Count(c => c)} cut off by the server), "
                + $"{Oversized} oversized bodies ({oversized.Count(s => s == HttpStatusCode.RequestEntityTooLarge)} answered 413, {oversized.Count(s => s is null)} closed mid-send); "
                + $"honest updates answered {attacked.Answered}/{Honest}, p50 {attacked.P50.TotalMilliseconds:0} ms p99 {attacked.P99.TotalMilliseconds:0} ms "
                + $"(calm: p50 {calm.P50.TotalMilliseconds:0} ms p99 {calm.P99.TotalMilliseconds:0} ms); RSS {rssCalm:0} → {rssAttacked:0} MB");

            Assert.Equal(Honest, calm.Answered);
            Assert.Equal(Honest, attacked.Answered);
            Assert.True(attacked.P99 <= Target, $"p99 {attacked.P99.TotalMilliseconds:0} ms under attack");
            Assert.All(oversized, s => Assert.True(s is null or HttpStatusCode.RequestEntityTooLarge, $"an oversized update got {s}"));
            Assert.All(cutOff, Assert.True);
            Assert.True(stillOpen > Idle * 9 / 10, $"only {stillOpen} of the half-requests were still open: the attack did not hold");
            Assert.True(rssAttacked - rssCalm <= MemoryBoundMb, $"RSS grew {rssAttacked - rssCalm:0} MB");
            Assert.False(bot.HasExited);
        }
        finally
        {
            foreach (var s in idle)
                s.Dispose();
        }
        await bot.StopAsync();
        Directory.Delete(data, recursive: true);
    }

    private sealed record Latencies(int Answered, TimeSpan P50, TimeSpan P99);

    /// <summary>One sender, one update at a time, each a /patch answered in the webhook's response.</summary>
    private static async Task<Latencies> HonestAsync(FakeBotApi api, HttpClient http, Uri endpoint, long firstChat)
    {
        var times = new List<TimeSpan>(Honest);
        var answered = 0;
        for (var i = 0; i < Honest; i++)
        {
            var chat = firstChat + i;
            var update = api.MessageUpdate(chat, "/patch kvm", languageCode: "en");
            var clock = Stopwatch.StartNew();
            using var response = await api.PostUpdateToWebhook(endpoint, update, Secret);
            var body = await response.Content.ReadAsStringAsync();
            times.Add(clock.Elapsed);
            if (response.StatusCode == HttpStatusCode.OK && body.Length > 0)
            {
                using var json = JsonDocument.Parse(body);
                if (json.RootElement.GetProperty("method").GetString() == "sendMessage" && json.RootElement.GetProperty("chat_id").GetInt64() == chat)
                    answered++;
            }
        }
        times.Sort();
        return new Latencies(answered, times[times.Count / 2], times[(int)Math.Ceiling(times.Count * 0.99) - 1]);
    }

    /// <summary>A connection that sends the start of a request and then nothing.</summary>
    private static async Task<Socket> HalfRequestAsync(Uri server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, server.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"POST /telegram/webhook HTTP/1.1\r\nHost: {server.Authority}\r\nX-Telegram-Bot-Api-Secret-Token: {Secret}\r\n"));
        return socket;
    }

    /// <summary>
    /// A request whose body comes a byte a second: true when the server closes the connection within a minute (its
    /// minimum body data rate), false when it is still reading at the end.
    /// </summary>
    private static async Task<bool> DribbleAsync(Uri server)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, server.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"POST /telegram/webhook HTTP/1.1\r\nHost: {server.Authority}\r\nX-Telegram-Bot-Api-Secret-Token: {Secret}\r\n"
            + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"));
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        var buffer = new byte[4096];
        while (DateTime.UtcNow < until)
        {
            try
            {
                await socket.SendAsync("\n"u8.ToArray());
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                var read = await socket.ReceiveAsync(buffer, wait.Token);
                return true; // an answer (408 or similar) or the close: the server gave up on it
            }
            catch (OperationCanceledException)
            {
                // nothing from the server this second: dribble on
            }
            catch (SocketException)
            {
                return true; // reset by the server
            }
        }
        return false;
    }

    /// <summary>
    /// An update of 8 MiB: the status the server answers with, or null when it closed the connection before the
    /// client could read an answer (Kestrel may answer 413 and close while the client is still sending).
    /// </summary>
    private static async Task<HttpStatusCode?> OversizedAsync(HttpClient http, Uri endpoint, int i)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"update_id\":" + (900_000 + i) + ",\"message\":{\"text\":\"" + new string('x', 8 << 20) + "\"}}")),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", Secret);
        request.Headers.ExpectContinue = true; // as a careful client does: the server may refuse before the body is sent
        try
        {
            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>The process's resident memory in MiB, as the kernel counts it.</summary>
    private static double Rss(int pid) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024).Single();
}
