using System.Threading.RateLimiting;
using KernelDigest.Bot.Chats;
using KernelDigest.Core.Commands;

namespace KernelDigest.Bot.DiscordChat;

/// <summary>
/// Sends digests to Discord channels: the digest rendered as embeds (<see cref="DiscordRenderer"/>), one Create Message
/// per message, resuming after the parts already confirmed. Requests leave paced below Discord's global 50 a second;
/// per-channel buckets and 429s are the REST client's business, as are retries of 5xx and network faults.
/// </summary>
public sealed partial class DiscordDigestSender(DiscordRestClient rest, TimeProvider time, ILogger<DiscordDigestSender> logger) : IChatSender, IDisposable
{
    /// <summary>Discord's global limit per bot; the limiter stays a little under it.</summary>
    public const int GlobalRequestsPerSecond = 50;

    private readonly RateLimiter _global = PacedLimiter.Create(GlobalRequestsPerSecond, TimeSpan.FromSeconds(1));

    public Platform Platform => Platform.Discord;

    public async Task<DigestSendResult> SendDigestAsync(ChatAddress chat, Reply digest, int skipParts, Func<int, Task> partSent, CancellationToken ct)
    {
        // A thread is a channel of its own on Discord: its id is the chat id, and the digest is posted there.
        var chatId = chat.ChatId;
        if (chatId is not { Length: > 0 and <= 20 } || !chatId.All(char.IsAsciiDigit))
            return Result(new SendResult.Gone(GoneReason.UnknownChat, $"not a Discord channel id: {Core.Reports.TextUtil.Truncate(chatId, 32)}"), skipParts);
        var parts = DiscordRenderer.Render(digest);
        var sent = skipParts;
        foreach (var part in parts.Skip(skipParts))
        {
            await PaceAsync(ct);
            try
            {
                await rest.CreateMessageAsync(chatId, part, ct);
            }
            catch (DiscordUnauthorizedException ex)
            {
                // The client makes no more requests after a 401: every delivery waits for an operator to fix the token.
                LogUnauthorized(chatId);
                return Result(new SendResult.RetryLater(ex.Message), sent);
            }
            catch (DiscordApiException ex) when (DiscordApiException.IsChannelGone(ex.Code))
            {
                var reason = ex.Code switch
                {
                    DiscordApiException.UnknownChannel => GoneReason.UnknownChat,
                    DiscordApiException.MissingAccess => GoneReason.Kicked,
                    _ => GoneReason.MissingPermissions,
                };
                return Result(new SendResult.Gone(reason, DiscordApiException.ChannelProblem(ex.Code, ex.Message)), sent);
            }
            catch (DiscordRateLimitedException ex)
            {
                return Result(new SendResult.RetryLater(ex.Message, time.GetUtcNow() + ex.RetryAfter), sent);
            }
            catch (DiscordApiException ex)
            {
                // 5xx after the client's retries, or a refusal of the message itself.
                return Result(new SendResult.RetryLater(ex.Code != 0 ? $"{ex.Message} ({ex.Code}, HTTP {ex.Status})" : ex.Message), sent);
            }
            catch (HttpRequestException ex)
            {
                return Result(new SendResult.RetryLater("network: " + ex.Message), sent);
            }
            catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
            {
                return Result(new SendResult.RetryLater("Discord did not answer in time: " + ex.Message), sent);
            }
            sent++;
            await partSent(sent);
        }
        return Result(SendResult.Ok, sent);
    }

    private static DigestSendResult Result(SendResult result, int sent) => new(result, sent);

    /// <summary>Waits for a slot under the global pace (the limiter queues without bound, so it is granted unless cancelled).</summary>
    private async Task PaceAsync(CancellationToken ct)
    {
        using var lease = await _global.AcquireAsync(1, ct);
    }

    public void Dispose() => _global.Dispose();

    [LoggerMessage(Level = LogLevel.Error, Message = "Digest to Discord channel {ChannelId} not sent: Discord refused the bot token (401); check Discord:BotToken")]
    private partial void LogUnauthorized(string channelId);
}
