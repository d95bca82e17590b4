using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using KernelDigest.Bot.Chats;
using KernelDigest.Core.Commands;
using Microsoft.Extensions.Options;
using Telegram.Bot.Requests;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace KernelDigest.Bot.TelegramChat;

/// <summary>
/// Sends digests to Telegram chats, paced below the platform's limits: <c>Telegram:MaxMessagesPerSecond</c> overall
/// (default 30) and 20 a minute to any one group.
/// </summary>
public sealed class TelegramDigestSender : IChatSender, IDisposable
{
    private readonly TelegramSender _sender;
    private readonly RateLimiter _global;
    private readonly ConcurrentDictionary<long, RateLimiter> _perGroup = new();

    public TelegramDigestSender(TelegramSender sender, IOptions<TelegramOptions> options)
    {
        _sender = sender;
        _global = PacedLimiter.Create(options.Value.MaxMessagesPerSecond, TimeSpan.FromSeconds(1));
    }

    public string Platform => "telegram";

    public async Task<DigestSendResult> SendDigestAsync(string chatId, Reply digest, int skipParts, Func<int, Task> partSent, CancellationToken ct)
    {
        if (!long.TryParse(chatId, out var id))
            return new DigestSendResult(DigestSendStatus.ChatGone, skipParts, $"not a Telegram chat id: {chatId}");
        var parts = TelegramRenderer.Render(digest);
        var sent = skipParts;
        foreach (var part in parts.Skip(skipParts))
        {
            // Groups and supergroups have negative ids; private chats are paced by the global limit only.
            if (id < 0)
                await Acquire(_perGroup.GetOrAdd(id, _ => PacedLimiter.Create(20, TimeSpan.FromMinutes(1))), ct);
            await Acquire(_global, ct);
            var request = new SendMessageRequest
            {
                ChatId = id,
                Text = part.Html,
                ParseMode = ParseMode.Html,
                LinkPreviewOptions = new LinkPreviewOptions { IsDisabled = true },
                ReplyMarkup = part.Keyboard,
            };
            var outcome = await _sender.SendAsync(request, ct);
            switch (outcome)
            {
                case SendOutcome.Sent:
                    sent++;
                    await partSent(sent);
                    break;
                case SendOutcome.ChatGone:
                    return new DigestSendResult(DigestSendStatus.ChatGone, sent, _sender.LastProblem(id) ?? "the chat cannot receive messages");
                default:
                    return new DigestSendResult(DigestSendStatus.Transient, sent, "Telegram did not accept the message");
            }
        }
        return new DigestSendResult(DigestSendStatus.Sent, sent);
    }

    private static async Task Acquire(RateLimiter limiter, CancellationToken ct)
    {
        using var lease = await limiter.AcquireAsync(1, ct);
    }

    public void Dispose()
    {
        _global.Dispose();
        foreach (var l in _perGroup.Values)
            l.Dispose();
    }
}
