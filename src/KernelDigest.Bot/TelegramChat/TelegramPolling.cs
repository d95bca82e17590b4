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
    IOptions<TelegramOptions> options,
    TimeProvider time,
    ILogger<TelegramPolling> logger) : BackgroundService
{
    internal static readonly UpdateType[] AllowedUpdates =
        [UpdateType.Message, UpdateType.ChannelPost, UpdateType.CallbackQuery, UpdateType.InlineQuery, UpdateType.MyChatMember];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var offset = offsets.Load();
        var failures = 0;
        var limit = 100;
        while (!stoppingToken.IsCancellationRequested)
        {
            Telegram.Bot.Types.Update[] updates;
            try
            {
                updates = await bot.GetUpdates(offset, limit, options.Value.PollTimeoutSeconds, AllowedUpdates, stoppingToken);
                failures = 0;
                limit = 100;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (RequestException ex) when (ex is not ApiRequestException && ex.InnerException is System.Text.Json.JsonException && offset is { } current)
            {
                // An update the library cannot read: fetch one at a time, and skip the one that still fails.
                if (limit > 1)
                    limit = 1;
                else
                {
                    LogSkippedUnreadable(current, ex);
                    offset = current + 1;
                    await offsets.SaveAsync(offset.Value, stoppingToken);
                }
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
                await processor.ProcessAsync(update, stoppingToken);
                offset = update.Id + 1;
                await offsets.SaveAsync(offset.Value, stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram getUpdates failed ({Failures} in a row), retrying in {DelaySeconds:F1} s: {Reason}")]
    private partial void LogPollFailed(int failures, double delaySeconds, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Skipped Telegram update at offset {Offset}: it could not be read")]
    private partial void LogSkippedUnreadable(int offset, Exception ex);
}
