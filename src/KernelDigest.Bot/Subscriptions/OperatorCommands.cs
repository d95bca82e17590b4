using KernelDigest.Bot.Storage;
using KernelDigest.Core.Reports;

namespace KernelDigest.Bot.Subscriptions;

/// <summary>
/// <c>digest send [--month YYYY-MM]</c> and <c>subscriptions list</c>: what operators run by hand, through the same
/// outbox and dispatcher as the schedule.
/// </summary>
internal static class OperatorCommands
{
    public static bool IsVerb(string[] args) =>
        args is ["digest", "send", ..] or ["subscriptions", "list", ..];

    /// <summary>The arguments the host should see: settings only, not the verb's own words.</summary>
    public static string[] Settings(string[] args) =>
        IsVerb(args) ? [.. args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal))] : args;

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        var ct = CancellationToken.None;
        await app.Services.GetRequiredService<Database>().MigrateAsync(ct);
        var store = app.Services.GetRequiredService<SubscriptionStore>();
        if (args[0] == "subscriptions")
        {
            var all = await store.ListAsync(ct);
            Console.Out.WriteLine("id\tplatform\tchat\tlang\tstatus\tfilter\treason\ttopic");
            foreach (var s in all)
                Console.Out.WriteLine($"{s.Id}\t{s.Platform}\t{s.ChatId}\t{s.Lang}\t{s.Status}\t{(s.Filter.Length == 0 ? "*" : s.Filter)}\t{s.PausedReason}\t{s.ThreadId}");
            Console.Error.WriteLine($"{all.Count} subscription(s)");
            // What is being sent right now, and by whom: a holder that is not running here is taken over at once.
            foreach (var (holder, count, until) in await app.Services.GetRequiredService<DeliveryDispatcher>().HeldElsewhereAsync(ct))
                Console.Error.WriteLine($"in flight: {count} deliveries claimed by {holder} until {until:yyyy-MM-dd HH:mm:ss} UTC");
            return 0;
        }

        ReportMonth? month = null;
        var i = Array.IndexOf(args, "--month");
        if (i >= 0)
        {
            if (i + 1 >= args.Length || !ReportMonth.TryParse(args[i + 1], out var m))
            {
                Console.Error.WriteLine("error: --month needs a month in the form YYYY-MM");
                return 2;
            }
            month = m;
        }
        var library = app.Services.GetRequiredService<ReportLibrary>();
        var target = month ?? library.Current.Latest?.Month;
        if (target is null || library.Current.Find(target.Value) is null)
        {
            Console.Error.WriteLine($"error: no report for {target?.ToString() ?? "any month"} is loaded; loaded: {string.Join(", ", library.Current.Months)}");
            return 1;
        }
        var added = await store.EnqueueMonthAsync(target.Value.ToString(), ct);
        var dispatcher = app.Services.GetRequiredService<DeliveryDispatcher>();
        var counts = await dispatcher.DrainAsync(ct);
        Console.Out.WriteLine($"digest {target}: {added} newly owed; sent {counts.Sent}, failed {counts.Failed}, paused {counts.Paused}, skipped {counts.Skipped}, left for later {counts.Deferred}");
        // Never a zero that hides work still owed: say what another live process holds, and when it comes free.
        var held = await dispatcher.HeldElsewhereAsync(ct);
        foreach (var (holder, count, until) in held)
            Console.Out.WriteLine($"{count} deliveries are claimed by {holder} until {until:yyyy-MM-dd HH:mm:ss} UTC; they will be sent then (by it, or by whoever runs after that)");
        var owed = await store.CountsAsync(target.Value.ToString(), ct);
        if (owed.Pending > 0)
            Console.Out.WriteLine($"{owed.Pending} deliveries wait for a retry (a platform fault, or a platform this process does not serve); a running bot sends them when they come due");
        return counts.Failed > 0 ? 1 : 0;
    }
}
