using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KernelDigest.Bot.Chats;
using KernelDigest.Bot.DiscordChat.Gateway;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace KernelDigest.Bot.DiscordChat;

/// <summary>
/// The one seam between the bot and Discord's REST API: the few calls the bot needs, over <see cref="HttpClient"/>
/// (no Discord library is served by our registry; one could replace this class later without touching its callers).
/// </summary>
/// <remarks>
/// Every request carries <c>Authorization: Bot …</c> and <c>User-Agent: DiscordBot (…)</c>. Rate limits follow
/// Discord's headers: per bucket (<c>X-RateLimit-Bucket</c> + the route's top-level resource) a request waits while
/// <c>Remaining</c> is 0 until <c>Reset-After</c>; a 429 waits <c>retry_after</c>, for every route when it is global.
/// 5xx and network failures back off and retry (Polly). A 401 is final: the client stops calling Discord at all.
/// 10003 / 50001 / 50013 on a channel are thrown as <see cref="DiscordApiException"/> with
/// <see cref="DiscordApiException.Code"/>, for the caller to turn into a gone chat.
/// </remarks>
public sealed partial class DiscordRestClient
{
    public const string UserAgent = "DiscordBot (https://github.com/kerneldigest, 1.0)";

    /// <summary>A 429 asking for a longer wait than this is not retried: it surfaces as <see cref="DiscordRateLimitedException"/>.</summary>
    public static readonly TimeSpan MaxRateLimitWait = TimeSpan.FromSeconds(60);

    private const int MaxTrackedBuckets = 2000;

    private readonly HttpClient _http;
    private readonly DiscordOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DiscordRestClient> _logger;
    private readonly Uri _base;
    private readonly ResiliencePipeline _pipeline;
    private readonly ConcurrentDictionary<string, string> _routeBuckets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private long _globalUntilTicks;
    private long _tooManyRequests;
    private volatile bool _unauthorized;

    public DiscordRestClient(HttpClient http, IOptions<DiscordOptions> options, TimeProvider time, ILogger<DiscordRestClient> logger)
    {
        _http = http;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _base = new Uri(_options.ApiBaseUrl.TrimEnd('/') + "/");
        _pipeline = ChatRetry.Pipeline(
            time,
            new PredicateBuilder()
                .Handle<DiscordRateLimitedException>(ex => ex.RetryAfter <= MaxRateLimitWait)
                .Handle<DiscordApiException>(ex => ex.Status >= 500)
                .Handle<HttpRequestException>()
                .Handle<TaskCanceledException>(ex => ex.InnerException is TimeoutException),
            // After a 429 the bucket (or the global gate) already holds the wait: retry at once and let it apply.
            ex => ex is DiscordRateLimitedException ? TimeSpan.Zero : null,
            args =>
            {
                LogRetry(args.AttemptNumber + 1, args.Outcome.Exception?.Message ?? "?");
                return ValueTask.CompletedTask;
            });
    }

    /// <summary>How many 429 answers the client has received.</summary>
    public long TooManyRequests => Interlocked.Read(ref _tooManyRequests);

    /// <summary>The application's commands (global, or one guild's), with their localization dictionaries.</summary>
    public async Task<IReadOnlyList<JsonElement>> GetCommandsAsync(string? guildId, CancellationToken ct)
    {
        var result = await SendAsync(CommandsRoute(HttpMethod.Get, guildId, "?with_localizations=true"), null, ct);
        return result is { ValueKind: JsonValueKind.Array } array ? [.. array.EnumerateArray()] : [];
    }

    /// <summary>Replaces all the application's commands (global, or one guild's) with <paramref name="commands"/>.</summary>
    public async Task<IReadOnlyList<JsonElement>> BulkOverwriteCommandsAsync(string? guildId, IReadOnlyList<DiscordCommand> commands, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(commands, DiscordJson.Options);
        var result = await SendAsync(CommandsRoute(HttpMethod.Put, guildId, ""), body, ct);
        return result is { ValueKind: JsonValueKind.Array } array ? [.. array.EnumerateArray()] : [];
    }

    /// <summary>Posts a message to a channel; returns the new message's id.</summary>
    /// <exception cref="DiscordApiException">With <see cref="DiscordApiException.Code"/> 10003, 50001 or 50013 when the channel cannot be written to.</exception>
    public async Task<string?> CreateMessageAsync(string channelId, DiscordMessage message, CancellationToken ct)
    {
        if (!IsSnowflake(channelId))
            throw new ArgumentException("A channel id is a numeric snowflake.", nameof(channelId));
        var node = JsonSerializer.SerializeToNode(message, DiscordJson.Options)!.AsObject();
        // A nonce Discord enforces makes a retried POST (after a 5xx whose message did go out) create the message once.
        node["nonce"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        node["enforce_nonce"] = true;
        var route = new Route(HttpMethod.Post, $"channels/{channelId}/messages", "POST channels/{channel}/messages", channelId, Global: true);
        var result = await SendAsync(route, Encoding.UTF8.GetBytes(node.ToJsonString()), ct);
        return result is { ValueKind: JsonValueKind.Object } m && m.TryGetProperty("id", out var id) ? id.GetString() : null;
    }

    /// <summary>Where to connect to the gateway, and how many sessions may start (<c>GET /gateway/bot</c>).</summary>
    public async Task<GatewayBot> GetGatewayBotAsync(CancellationToken ct)
    {
        var result = await SendAsync(new Route(HttpMethod.Get, "gateway/bot", "GET gateway/bot", "gateway", Global: true), null, ct)
            ?? throw new DiscordApiException(200, 0, "GET /gateway/bot answered with no body");
        return GatewayBot.Parse(result);
    }

    /// <summary>The application as Discord holds it (<c>GET /applications/@me</c>): e.g. its Interactions Endpoint URL.</summary>
    public async Task<JsonElement?> GetApplicationAsync(CancellationToken ct) =>
        await SendAsync(new Route(HttpMethod.Get, "applications/@me", "GET applications/@me", "@me", Global: true), null, ct);

    /// <summary>
    /// Answers an interaction that came over the gateway (<c>POST /interactions/{id}/{token}/callback</c>): what the
    /// HTTP endpoint would have put in its response. Not bound by the global limit.
    /// </summary>
    public async Task CreateInteractionResponseAsync(string interactionId, string interactionToken, InteractionResponse response, CancellationToken ct)
    {
        if (!IsSnowflake(interactionId))
            throw new ArgumentException("An interaction id is a numeric snowflake.", nameof(interactionId));
        ValidateToken(interactionToken);
        var route = new Route(HttpMethod.Post, $"interactions/{interactionId}/{interactionToken}/callback",
            "POST interactions/{id}/{token}/callback", interactionId, Global: false);
        await SendAsync(route, JsonSerializer.SerializeToUtf8Bytes(response, DiscordJson.Options), ct);
    }

    /// <summary>Edits an interaction's first response (how a deferred answer is filled in, or a page replaced).</summary>
    public async Task EditOriginalAsync(string interactionToken, DiscordMessage message, CancellationToken ct)
    {
        var route = WebhookRoute(HttpMethod.Patch, interactionToken, "/messages/@original");
        await SendAsync(route, JsonSerializer.SerializeToUtf8Bytes(message, DiscordJson.Options), ct);
    }

    /// <summary>Adds a follow-up message to an interaction (the second and later messages of a long answer).</summary>
    public async Task CreateFollowupAsync(string interactionToken, DiscordMessage message, CancellationToken ct)
    {
        var route = WebhookRoute(HttpMethod.Post, interactionToken, "");
        await SendAsync(route, JsonSerializer.SerializeToUtf8Bytes(message, DiscordJson.Options), ct);
    }

    private Route CommandsRoute(HttpMethod method, string? guildId, string query)
    {
        var app = _options.ApplicationId!;
        return guildId is null
            ? new Route(method, $"applications/{app}/commands{query}", $"{method} applications/{{app}}/commands", app, Global: true)
            : new Route(method, $"applications/{app}/guilds/{guildId}/commands{query}", $"{method} applications/{{app}}/guilds/{{guild}}/commands", guildId, Global: true);
    }

    private static void ValidateToken(string token)
    {
        if (string.IsNullOrEmpty(token) || token.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            throw new ArgumentException("An interaction token is letters, digits, '-', '_' and '.'.", nameof(token));
    }

    private Route WebhookRoute(HttpMethod method, string token, string suffix)
    {
        ValidateToken(token);
        var app = _options.ApplicationId!;
        // Interaction webhooks are not bound by the global limit; their bucket is per webhook and token.
        return new Route(method, $"webhooks/{app}/{token}{suffix}", $"{method} webhooks/{{app}}/{{token}}{suffix}", app + "/" + Hash(token), Global: false);
    }

    /// <summary>A request: its path (relative to the API base), the route template that names its bucket, and its top-level resource.</summary>
    private readonly record struct Route(HttpMethod Method, string Path, string Template, string Major, bool Global);

    private async Task<JsonElement?> SendAsync(Route route, byte[]? body, CancellationToken ct) =>
        await _pipeline.ExecuteAsync(async token => await SendOnceAsync(route, body, token), ct);

    private async ValueTask<JsonElement?> SendOnceAsync(Route route, byte[]? body, CancellationToken ct)
    {
        if (_unauthorized)
            throw new DiscordUnauthorizedException();
        var bucket = BucketFor(route);
        await bucket.Gate.WaitAsync(ct);
        try
        {
            await WaitAsync(route, bucket, ct);
            using var request = new HttpRequestMessage(route.Method, new Uri(_base, route.Path));
            request.Headers.TryAddWithoutValidation("Authorization", "Bot " + _options.BotToken);
            request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
            var now = _time.GetUtcNow();
            Remember(route, bucket, response.Headers, now);
            var bytes = await response.Content.ReadAsByteArrayAsync(ct);
            if (response.IsSuccessStatusCode)
                return bytes.Length == 0 || response.StatusCode == HttpStatusCode.NoContent ? null : Parse(bytes);

            var error = Parse(bytes);
            var code = error is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : 0;
            var message = error is { ValueKind: JsonValueKind.Object } m && m.TryGetProperty("message", out var t) && t.ValueKind == JsonValueKind.String
                ? t.GetString()!
                : $"HTTP {(int)response.StatusCode}";
            switch ((int)response.StatusCode)
            {
                case 401:
                    _unauthorized = true;
                    LogUnauthorized();
                    throw new DiscordUnauthorizedException();
                case 429:
                {
                    Interlocked.Increment(ref _tooManyRequests);
                    KernelDigest.Core.Diagnostics.Telemetry.RateLimited.Add(1, KernelDigest.Core.Diagnostics.Telemetry.Tag("platform", KernelDigest.Core.Commands.Platform.Discord.Key));
                    var retryAfter = RetryAfter(error, response.Headers);
                    var global = IsTrue(response.Headers, "X-RateLimit-Global")
                        || (error is { ValueKind: JsonValueKind.Object } g && g.TryGetProperty("global", out var gv) && gv.ValueKind == JsonValueKind.True);
                    if (global)
                        InterlockedMax(ref _globalUntilTicks, (now + retryAfter).UtcTicks);
                    else
                    {
                        bucket.Exhaust(now + retryAfter);
                        BucketFor(route).Exhaust(now + retryAfter); // the bucket the route maps to, once Discord named it
                    }
                    LogRateLimited(route.Template, retryAfter.TotalSeconds, global);
                    throw new DiscordRateLimitedException(retryAfter, global, $"rate limited on {route.Template} for {retryAfter.TotalSeconds:F2} s{(global ? " (global)" : "")}");
                }
                default:
                    throw new DiscordApiException((int)response.StatusCode, code, message);
            }
        }
        finally
        {
            bucket.Gate.Release();
        }
    }

    /// <summary>Waits while the global limit or this request's bucket says no request may go out.</summary>
    private async Task WaitAsync(Route route, Bucket bucket, CancellationToken ct)
    {
        while (true)
        {
            var now = _time.GetUtcNow();
            var until = bucket.BlockedUntil(now);
            if (route.Global)
            {
                var global = new DateTimeOffset(Interlocked.Read(ref _globalUntilTicks), TimeSpan.Zero);
                if (global > until)
                    until = global;
            }
            if (until <= now)
                return;
            await Task.Delay(until - now, _time, ct);
        }
    }

    private Bucket BucketFor(Route route)
    {
        var key = _routeBuckets.TryGetValue(route.Template, out var hash) ? hash + "|" + route.Major : route.Template + "|" + route.Major;
        if (_buckets.Count > MaxTrackedBuckets)
            Prune();
        return _buckets.GetOrAdd(key, _ => new Bucket());
    }

    private void Remember(Route route, Bucket bucket, HttpResponseHeaders headers, DateTimeOffset now)
    {
        var target = bucket;
        if (Header(headers, "X-RateLimit-Bucket") is { Length: > 0 } hash)
        {
            _routeBuckets[route.Template] = hash;
            target = _buckets.GetOrAdd(hash + "|" + route.Major, _ => new Bucket());
        }
        if (int.TryParse(Header(headers, "X-RateLimit-Remaining"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var remaining)
            && double.TryParse(Header(headers, "X-RateLimit-Reset-After"), NumberStyles.Float, CultureInfo.InvariantCulture, out var resetAfter))
        {
            var reset = now + TimeSpan.FromSeconds(Math.Clamp(resetAfter, 0, 3600));
            target.Update(remaining, reset);
            if (!ReferenceEquals(target, bucket))
                bucket.Update(remaining, reset);
        }
    }

    private void Prune()
    {
        var now = _time.GetUtcNow();
        foreach (var (key, bucket) in _buckets)
        {
            if (bucket.BlockedUntil(now) <= now && bucket.IsIdle(now))
                _buckets.TryRemove(key, out _);
        }
    }

    private static TimeSpan RetryAfter(JsonElement? error, HttpResponseHeaders headers)
    {
        if (error is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty("retry_after", out var r) && r.TryGetDouble(out var seconds))
            return TimeSpan.FromSeconds(Math.Max(0, seconds));
        if (double.TryParse(Header(headers, "Retry-After"), NumberStyles.Float, CultureInfo.InvariantCulture, out var header))
            return TimeSpan.FromSeconds(Math.Max(0, header));
        return TimeSpan.FromSeconds(1);
    }

    private static string? Header(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static bool IsTrue(HttpResponseHeaders headers, string name) =>
        string.Equals(Header(headers, name), "true", StringComparison.OrdinalIgnoreCase);

    private static JsonElement? Parse(byte[] bytes)
    {
        if (bytes.Length == 0)
            return null;
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null; // an HTML error page from a proxy
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
                return;
            current = seen;
        }
    }

    private static bool IsSnowflake(string id) => id is { Length: > 0 and <= 20 } && id.All(char.IsAsciiDigit);

    // Interaction tokens are secrets for 15 minutes: the limiter keys on a hash, never the token itself.
    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..16];

    /// <summary>One rate-limit bucket: requests in it go out one at a time, and wait while it is exhausted.</summary>
    private sealed class Bucket
    {
        private readonly Lock _lock = new();
        private int _remaining = 1;
        private DateTimeOffset _reset = DateTimeOffset.MinValue;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public DateTimeOffset BlockedUntil(DateTimeOffset now)
        {
            lock (_lock)
                return _remaining <= 0 && _reset > now ? _reset : now;
        }

        public bool IsIdle(DateTimeOffset now)
        {
            lock (_lock)
                return _reset < now && Gate.CurrentCount == 1;
        }

        public void Update(int remaining, DateTimeOffset reset)
        {
            lock (_lock)
            {
                _remaining = remaining;
                _reset = reset;
            }
        }

        public void Exhaust(DateTimeOffset until)
        {
            lock (_lock)
            {
                _remaining = 0;
                if (until > _reset)
                    _reset = until;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord rate limit on {Route}: waiting {Seconds:F2} s (global: {Global})")]
    private partial void LogRateLimited(string route, double seconds, bool global);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord request retry {Attempt}: {Reason}")]
    private partial void LogRetry(int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Discord refused the bot token (401 Unauthorized); no more Discord requests will be made. Check Discord:BotToken.")]
    private partial void LogUnauthorized();
}
