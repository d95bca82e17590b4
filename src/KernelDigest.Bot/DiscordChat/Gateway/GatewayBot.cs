using System.Text.Json;

namespace KernelDigest.Bot.DiscordChat.Gateway;

/// <summary>What <c>GET /gateway/bot</c> says: where to connect, and how many sessions may still start today.</summary>
/// <param name="Url">The gateway's address (wss://…), without query.</param>
/// <param name="Remaining">Session starts (identifies) left until <paramref name="ResetAfter"/>.</param>
/// <param name="ResetAfter">When the daily session-start budget refills.</param>
/// <param name="MaxConcurrency">Identifies allowed per 5 seconds.</param>
public sealed record GatewayBot(string Url, int Remaining, TimeSpan ResetAfter, int MaxConcurrency)
{
    public static GatewayBot Parse(JsonElement root)
    {
        var url = root.TryGetProperty("url", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString()! : throw new JsonException("GET /gateway/bot: no url");
        var limit = root.TryGetProperty("session_start_limit", out var l) && l.ValueKind == JsonValueKind.Object ? l : default;
        int Number(string name, int fallback) =>
            limit.ValueKind == JsonValueKind.Object && limit.TryGetProperty(name, out var n) && n.TryGetInt32(out var v) ? v : fallback;
        return new GatewayBot(url, Number("remaining", 1), TimeSpan.FromMilliseconds(Number("reset_after", 0)), Math.Max(1, Number("max_concurrency", 1)));
    }
}
