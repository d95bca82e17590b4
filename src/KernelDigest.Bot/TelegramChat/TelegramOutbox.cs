using System.Threading.Channels;
using TgUpdate = Telegram.Bot.Types.Update;

namespace KernelDigest.Bot.TelegramChat;

/// <summary>Webhook updates whose answers go through the Bot API, handled in order by a background worker.</summary>
public sealed class TelegramOutbox
{
    private readonly Channel<TgUpdate> _queue = Channel.CreateBounded<TgUpdate>(new BoundedChannelOptions(10_000) { SingleReader = true });

    public ValueTask EnqueueAsync(TgUpdate update, CancellationToken ct) => _queue.Writer.WriteAsync(update, ct);

    public ChannelReader<TgUpdate> Reader => _queue.Reader;
}

internal sealed class TelegramOutboxWorker(TelegramOutbox outbox, TelegramUpdateProcessor processor) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var update in outbox.Reader.ReadAllAsync(stoppingToken))
            await processor.ProcessAsync(update, stoppingToken); // failures are handled and logged inside
    }
}
