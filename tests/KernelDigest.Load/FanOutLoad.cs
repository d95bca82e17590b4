using KernelDigest.Core.Commands;
using System.Diagnostics;
using System.Globalization;
using KernelDigest.Bot.Operations;
using KernelDigest.Bot.Reports;
using KernelDigest.Bot.Storage;
using KernelDigest.Bot.Subscriptions;
using KernelDigest.Bot.TelegramChat;
using KernelDigest.Core.Reports;

namespace KernelDigest.Load;

/// <summary>
/// Digest fan-out at a rate limit L over N subscriptions: the bot's own services (store on a real SQLite file, outbox,
/// dispatcher, Telegram sender and pacing) against <see cref="BotApiStub"/>. Prints sustained rate, 429s and memory.
/// </summary>
internal static class FanOutLoad
{
    public static async Task<int> RunAsync(int limit, int subscriptions, string repo)
    {
        await using var api = new BotApiStub(limit);
        await api.StartAsync();
        var data = Directory.CreateTempSubdirectory("kd-fanout-").FullName;
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Reports:Directory"] = Path.Combine(repo, "config", "reports"),
            ["Reports:SubsystemsFile"] = Path.Combine(repo, "config", "subsystems.yaml"),
            ["Reports:GlossaryFile"] = Path.Combine(repo, "config", "glossary.yaml"),
            ["Reports:IndexCacheDirectory"] = "",
            ["Storage:DataDirectory"] = data,
            ["Telegram:BotToken"] = "123:LOAD",
            ["Telegram:ApiBaseUrl"] = api.BaseUrl,
            ["Telegram:MaxMessagesPerSecond"] = limit.ToString(CultureInfo.InvariantCulture),
        });
        builder.AddOperations();
        builder.AddReports();
        builder.AddStorage();
        builder.AddTelegram();
        builder.AddSubscriptions();
        await using var app = builder.Build();
        await app.Services.GetRequiredService<Database>().MigrateAsync(CancellationToken.None);
        var store = app.Services.GetRequiredService<SubscriptionStore>();
        var seed = Stopwatch.StartNew();
        for (var i = 1; i <= subscriptions; i++)
            await store.SubscribeAsync(new ChatAddress(Platform.Telegram, i.ToString(CultureInfo.InvariantCulture)), "zh-CN", "", "load", CancellationToken.None);
        _ = app.Services.GetRequiredService<ReportLibrary>().Current;
        Console.WriteLine($"seeded {subscriptions} subscriptions in {seed.Elapsed.TotalSeconds:F1} s");

        var planner = app.Services.GetRequiredService<DigestPlanner>();
        var dispatcher = app.Services.GetRequiredService<DeliveryDispatcher>();
        await planner.PlanAsync(null, CancellationToken.None);
        GC.Collect();
        var memory = new List<(double Seconds, long Messages, double WorkingSetMiB, double HeapMiB)>();
        var clock = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!cts.IsCancellationRequested)
            {
                using var p = Process.GetCurrentProcess();
                memory.Add((clock.Elapsed.TotalSeconds, api.Messages, p.WorkingSet64 / 1048576.0, GC.GetTotalMemory(false) / 1048576.0));
                try { await Task.Delay(1000, cts.Token); } catch (OperationCanceledException) { }
            }
        });
        var counts = await dispatcher.DrainAsync(CancellationToken.None);
        var elapsed = clock.Elapsed.TotalSeconds;
        await cts.CancelAsync();
        await sampler;

        var overall = api.Messages / elapsed;
        // Sustained: the rate between 10% and 90% of the messages, leaving out the start (JIT, first digest) and tail.
        var low = memory.First(m => m.Messages >= api.Messages / 10);
        var high = memory.Last(m => m.Messages <= api.Messages * 9 / 10);
        var rate = (high.Messages - low.Messages) / (high.Seconds - low.Seconds);
        var perChat = api.PerChat.Values.ToList();
        Console.WriteLine();
        Console.WriteLine($"| limit L | subscriptions | messages | seconds | overall msg/s | sustained msg/s (10–90%) | sustained / L | 429s | deliveries sent | chats with a repeat |");
        Console.WriteLine($"|---|---|---|---|---|---|---|---|---|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {limit} | {subscriptions} | {api.Messages} | {elapsed:F1} | {overall:F0} | {rate:F0} | {rate / limit:F3} | {api.TooManyRequests} | {counts.Sent} | {perChat.Count(n => n != perChat.Min())} |"));
        Console.WriteLine();
        Console.WriteLine("| t (s) | messages | working set MiB | managed heap MiB |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var m in memory)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {m.Seconds:F0} | {m.Messages} | {m.WorkingSetMiB:F0} | {m.HeapMiB:F0} |"));
        return api.TooManyRequests == 0 && rate >= 0.95 * limit ? 0 : 1;
    }
}
