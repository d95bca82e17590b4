using System.Threading.RateLimiting;
using KernelDigest.Bot.Chats;
using Microsoft.Extensions.Options;

namespace KernelDigest.Bot.TelegramChat;

/// <summary>
/// Paces every message the bot sends (answers, digests, and retries of either) at the HTTP layer, just before the
/// request leaves, so what Telegram sees stays under <c>Telegram:MaxMessagesPerSecond</c> whatever sent it.
/// </summary>
public sealed class TelegramPacingHandler(IOptions<TelegramOptions> options) : IDisposable
{
    private static readonly string[] PacedMethods = ["/sendMessage", "/editMessageText", "/sendPhoto", "/sendDocument", "/copyMessage", "/forwardMessage"];

    private readonly RateLimiter _limiter = PacedLimiter.Create(options.Value.MaxMessagesPerSecond, TimeSpan.FromSeconds(1));

    /// <summary>Waits for a permit when the request sends a message; other calls pass at once.</summary>
    public async ValueTask WaitAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var path = request.RequestUri?.AbsolutePath ?? "";
        if (PacedMethods.Any(m => path.EndsWith(m, StringComparison.OrdinalIgnoreCase)))
        {
            using var lease = await _limiter.AcquireAsync(1, ct);
        }
    }

    public void Dispose() => _limiter.Dispose();
}
