using KernelDigest.Core.Commands;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types.Enums;

namespace KernelDigest.Bot.TelegramChat;

/// <summary>
/// The getUpdates loop (polling mode). Our own loop rather than Telegram.Bot's receiver, for three reasons: the offset
/// is saved after each update is handled (a restart neither loses nor repeats one), errors back off instead of
/// retrying at once, and a batch the library cannot read is narrowed down and the bad update skipped.
/// </summary>
internal sealed partial class TelegramPolling(
    ITelegramBotClient bot,
    TelegramUpdateProcessor processor,
    UpdateOffsetStore offsets,
    Storage.StorageStatus storage,
    IOptions<TelegramOptions> options,
    IHttpClientFactory http,
    TimeProvider time,
    ILogger<TelegramPolling> logger) : BackgroundService
{
    internal static readonly UpdateType[] AllowedUpdates =
        [UpdateType.Message, UpdateType.ChannelPost, UpdateType.CallbackQuery, UpdateType.InlineQuery, UpdateType.MyChatMember];

    private static readonly TimeSpan AnswerGrace = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var offset = await LoadOffsetAsync(stoppingToken);
        var failures = 0;
        const int limit = 100;
        // A stop lets the update being answered finish: cancelling a send that the Bot API has already received would
        // leave the update unconfirmed, and the next process would answer it again.
        using var answering = new CancellationTokenSource();
        await using var graced = stoppingToken.Register(() => answering.CancelAfter(AnswerGrace));
        while (!stoppingToken.IsCancellationRequested)
        {
            Telegram.Bot.Types.Update[] updates;
            try
            {
                updates = await bot.GetUpdates(offset, limit, options.Value.PollTimeoutSeconds, AllowedUpdates, stoppingToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (RequestException ex) when (ex is not ApiRequestException && ex.InnerException is System.Text.Json.JsonException)
            {
                // An update the library cannot read would block the queue for ever: read its id from the raw answer
                // and step past that one update only.
                if (await FirstPendingUpdateId(offset, stoppingToken) is { } bad)
                {
                    LogSkippedUnreadable(bad, ex);
                    offset = bad + 1;
                    await SaveOffsetAsync(offset.Value);
                }
                else
                    await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
                continue;
            }
            catch (Exception ex) when (ex is RequestException or HttpRequestException or TaskCanceledException)
            {
                failures++;
                var delay = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Math.Min(failures, 6)))) + TimeSpan.FromMilliseconds(Random.Shared.Next(250));
                if (ex is ApiRequestException { Parameters.RetryAfter: { } after })
                    delay = TimeSpan.FromSeconds(after);
                LogPollFailed(failures, delay.TotalSeconds, ex.Message);
                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
                continue;
            }

            foreach (var update in updates)
            {
                if (stoppingToken.IsCancellationRequested)
                    break; // the rest of the batch is not confirmed: Telegram gives it to the next process
                await processor.ProcessAsync(update, answering.Token);
                offset = update.Id + 1;
                // Not cancellable: an update answered must be recorded as answered even when a stop arrives just now,
                // or the restart would answer it again.
                await SaveOffsetAsync(offset.Value);
            }
        }
    }

    // The offset lives in the store. A store that cannot be read or written must not stop the chat: without a stored
    // offset Telegram itself resends only what was never confirmed, and the offset kept here confirms as we go.
    private async Task<int?> LoadOffsetAsync(CancellationToken ct)
    {
        try
        {
            return await offsets.LoadAsync(ct);
        }
        catch (Exception ex) when (Storage.StorageFault.Is(ex))
        {
            LogOffsetFailed("read", ex.Message);
            return null;
        }
    }

    private async Task SaveOffsetAsync(int offset)
    {
        if (storage.Problem is not null)
            return; // known faulty: a save would wait out the lock timeout after every update, slowing every answer
        try
        {
            await offsets.SaveAsync(offset, CancellationToken.None);
        }
        catch (Exception ex) when (Storage.StorageFault.Is(ex))
        {
            LogOffsetFailed("saved", ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram update offset could not be {Action} ({Reason}); polling goes on with the offset in memory")]
    private partial void LogOffsetFailed(string action, string reason);

    /// <summary>The id of the first pending update, read from the raw Bot API answer without typed deserialisation.</summary>
    private async Task<int?> FirstPendingUpdateId(int? offset, CancellationToken ct)
    {
        try
        {
            var o = options.Value;
            using var client = http.CreateClient(Platform.Telegram.Key);
            var url = $"{o.ApiBaseUrl.TrimEnd('/')}/bot{o.BotToken}/getUpdates";
            using var response = await client.PostAsJsonAsync(url, new Dictionary<string, object?> { ["offset"] = offset, ["limit"] = 1, ["timeout"] = 0 }, ct);
            using var doc = await System.Text.Json.JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
            return doc.RootElement.GetProperty("result") is { ValueKind: System.Text.Json.JsonValueKind.Array } result && result.GetArrayLength() > 0
                && result[0].TryGetProperty("update_id", out var id) && id.TryGetInt32(out var value) ? value : null;
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram getUpdates failed ({Failures} in a row), retrying in {DelaySeconds:F1} s: {Reason}")]
    private partial void LogPollFailed(int failures, double delaySeconds, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Skipped Telegram update {UpdateId}: it could not be read")]
    private partial void LogSkippedUnreadable(int updateId, Exception ex);
}
