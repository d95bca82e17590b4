using Dapper;
using KernelDigest.Bot.Storage;
using KernelDigest.Bot.Subscriptions;
using KernelDigest.Bot.Tests.Subscriptions;
using KernelDigest.Bot.Tests.TelegramDouble;
using Microsoft.Extensions.DependencyInjection;

namespace KernelDigest.Faults.Cluster;

/// <summary>Bot processes of one cluster: the settings they share, and which of them sends.</summary>
public static class ClusterBots
{
    /// <summary>
    /// Telegram in webhook mode (instances behind one proxy: no competing getUpdates) on one PostgreSQL database, with
    /// a claim timeout no test outlasts, so only a holder provably dead explains a takeover.
    /// </summary>
    public static Dictionary<string, string> Settings(FakeBotApi api, StorageOptions db, int perSecond, int concurrency)
    {
        var settings = Bot.Tests.TelegramChat.TelegramPollingTests.WebhookSettings(api, "cluster-secret");
        settings["Telegram__MaxMessagesPerSecond"] = perSecond.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Storage__Provider"] = "postgres";
        settings["Storage__ConnectionString"] = db.ConnectionString!;
        settings["Digest__Concurrency"] = concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Digest__PollInterval"] = "00:00:00.500";
        settings["Digest__ClaimTimeout"] = "00:10:00";
        return settings;
    }

    /// <summary>The process id of the instance holding the Telegram sender lease now, or 0.</summary>
    public static async Task<int> SenderPidAsync(SubscriptionsHarness store)
    {
        await using var connection = await store.Services.GetRequiredService<Database>().OpenAsync(CancellationToken.None);
        var holder = await connection.QuerySingleOrDefaultAsync<string?>("SELECT holder FROM leases WHERE name = 'sender:telegram'");
        return ClaimHolder.Parse(holder)?.ProcessId ?? 0;
    }
}
