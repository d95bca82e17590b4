using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using KernelDigest.Bot.Chats;
using KernelDigest.Core.Commands;
using Telegram.Bot.Requests;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace KernelDigest.Bot.TelegramChat;

/// <summary>
/// Sends digests to Telegram chats, at most 20 a minute to any one group; the overall pace
/// (<c>Telegram:MaxMessagesPerSecond</c>) is kept for every message by <see cref="TelegramPacingHandler"/>.
/// </summary>
public sealed class TelegramDigestSender : IChatSender, IDisposable
{
    private readonly TelegramSender _sender;
    private readonly ConcurrentDictionary<long, RateLimiter> _perGroup = new();
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<Reply, RenderedDigest> _rendered = new();

    private sealed record RenderedDigest(IReadOnlyList<TelegramMessage> Parts);

    public TelegramDigestSender(TelegramSender sender) => _sender = sender;

    public Platform Platform => Platform.Telegram;

    public async Task<DigestSendResult> SendDigestAsync(ChatAddress chat, Reply digest, int skipParts, Func<int, Task> partSent, CancellationToken ct)
    {
        if (!long.TryParse(chat.ChatId, out var id))
            return new DigestSendResult(new SendResult.Gone(GoneReason.UnknownChat, $"not a Telegram chat id: {chat.ChatId}"), skipParts);
        int? thread = int.TryParse(chat.ThreadId, out var t) ? t : null;
        // The same digest object goes to many chats: render it once.
        var parts = _rendered.GetValue(digest, d => new RenderedDigest(TelegramRenderer.Render(d))).Parts;
        var sent = skipParts;
        foreach (var part in parts.Skip(skipParts))
        {
            // Groups and supergroups have negative ids; private chats are paced by the global limit only.
            if (id < 0)
                await Acquire(_perGroup.GetOrAdd(id, _ => PacedLimiter.Create(20, TimeSpan.FromMinutes(1))), ct);
            var request = new SendMessageRequest
            {
                ChatId = id,
                MessageThreadId = thread, // a forum topic's subscription is posted in that topic
                Text = part.Html,
                ParseMode = ParseMode.Html,
                LinkPreviewOptions = new LinkPreviewOptions { IsDisabled = true },
                ReplyMarkup = part.Keyboard,
            };
            var result = await _sender.SendAsync(request, ct);
            if (result is not SendResult.Sent)
                return new DigestSendResult(result, sent);
            sent++;
            if (sent < parts.Count)
                await partSent(sent); // the last part is recorded with the delivery itself
        }
        return new DigestSendResult(SendResult.Ok, sent);
    }

    private static async Task Acquire(RateLimiter limiter, CancellationToken ct)
    {
        using var lease = await limiter.AcquireAsync(1, ct);
    }

    public void Dispose()
    {
        foreach (var l in _perGroup.Values)
            l.Dispose();
    }
}
