using System.Globalization;
using KernelDigest.Bot.Subscriptions;

namespace KernelDigest.Bot.TelegramChat;

/// <summary>
/// Keeps the next getUpdates offset in the bot's database, written after each update is handled, so a restart neither
/// loses nor repeats updates.
/// </summary>
public sealed class UpdateOffsetStore(SubscriptionStore store)
{
    public const string Key = "telegram.update_offset";

    public async Task<int?> LoadAsync(CancellationToken ct) =>
        int.TryParse(await store.GetStateAsync(Key, ct), NumberStyles.Integer, CultureInfo.InvariantCulture, out var offset) ? offset : null;

    public Task SaveAsync(int offset, CancellationToken ct) => store.SetStateAsync(Key, offset.ToString(CultureInfo.InvariantCulture), ct);
}
