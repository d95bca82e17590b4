using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KernelDigest.Bot.Tests.DiscordDouble;

/// <summary>
/// An in-process fake of Discord's REST API (v10) for tests: Kestrel on <c>127.0.0.1</c> with a random port, serving
/// the routes the bot uses with Discord's wire behaviour (see <c>platforms.md</c> §1.5–1.7):
/// <list type="bullet">
/// <item><c>GET|PUT /applications/{app}/commands</c> and the <c>/guilds/{guild}</c> variant (command validation; full
/// localization dictionaries only with <c>?with_localizations=true</c>, as Discord does);</item>
/// <item><c>POST /channels/{id}/messages</c> (10003 unknown channel, or the error set with <see cref="SetChannelError"/>);</item>
/// <item><c>PATCH /webhooks/{app}/{token}/messages/@original</c> and <c>POST /webhooks/{app}/{token}</c> for the
/// interaction tokens opened with <see cref="OpenInteraction"/> (10015 Unknown Webhook otherwise);</item>
/// <item><c>POST /interactions/{id}/{token}/callback</c>, how a gateway interaction is answered: 204 and recorded in
/// <see cref="Callbacks"/>; 404 / 10062 for a token not opened or past <see cref="CallbackDeadline"/>; 400 / 40060 for a
/// second callback;</item>
/// <item><c>GET /gateway/bot</c> (<see cref="GatewayUrl"/>, <see cref="SessionStartRemaining"/>; see
/// <see cref="UseGateway"/>) and <c>GET /applications/@me</c> (<see cref="InteractionsEndpointUrl"/>).</item>
/// </list>
/// Every message is checked against Discord's limits (<see cref="DiscordLimits"/>; 400 / 50035 when broken).
/// A bad or missing <c>Authorization: Bot …</c> gets 401 (except on the token-authenticated interaction routes, which
/// the global limit does not bind either); a missing
/// <c>DiscordBot (…)</c> User-Agent gets 403, as Cloudflare does. Every answer carries <c>X-RateLimit-*</c> headers
/// for its bucket; <see cref="SetBucket"/> shrinks a bucket and <see cref="RateLimitNext"/> scripts a 429. A request
/// that arrives while its bucket (or the global limit) says to wait is answered 429 and counted in
/// <see cref="EarlyRequests"/>: a client that honours the headers keeps that at 0.
/// </summary>
public sealed partial class FakeDiscordApi : IAsyncDisposable
{
    public const string DefaultToken = "ODc4.fake.discord-bot-token";
    public const string DefaultApplicationId = "787053080478613554";

    /// <summary>Headers carry milliseconds: a request this close to a reset is not counted as early.</summary>
    private static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(5);

    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly List<RecordedRequest> _requests = [];
    private readonly Dictionary<string, JsonArray> _commands = new(StringComparer.Ordinal);
    private readonly HashSet<string> _channels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Status, int Code, string Message)> _channelErrors = new(StringComparer.Ordinal);
    private readonly List<PostedMessage> _channelMessages = [];
    private readonly Dictionary<string, OpenedInteraction> _interactions = new(StringComparer.Ordinal);
    private readonly List<RecordedCallback> _callbacks = [];
    private readonly List<PostedMessage> _webhookMessages = [];
    private readonly Dictionary<string, (int Limit, TimeSpan ResetAfter)> _bucketConfig = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BucketState> _buckets = new(StringComparer.Ordinal);
    private readonly Queue<ScriptedLimit> _scriptedLimits = new();
    private readonly Queue<(int Status, int Code, string Message)> _failures = new();
    private DateTimeOffset _globalUntil = DateTimeOffset.MinValue;
    private long _nextId = 1_100_000_000_000_000_000;
    private int _earlyRequests;
    private int _tooManyRequests;
    private int _version = 1;
    private int _sessionStartRemaining = 1000;
    private FakeDiscordGateway? _gateway;
    private int _maxConcurrency = 1;

    public FakeDiscordApi(string token = DefaultToken, string applicationId = DefaultApplicationId)
    {
        Token = token;
        ApplicationId = applicationId;
        (_app, var address) = LoopbackServer.Start(HandleAsync);
        BaseUrl = new Uri(address, "/api/v10");
    }

    public static Task<FakeDiscordApi> StartAsync(string token = DefaultToken, string applicationId = DefaultApplicationId) =>
        Task.Run(() => new FakeDiscordApi(token, applicationId));

    /// <summary>e.g. <c>http://127.0.0.1:41234/api/v10</c>: the bot's Discord:ApiBaseUrl.</summary>
    public Uri BaseUrl { get; }

    public string Token { get; }

    public string ApplicationId { get; }

    /// <summary>Requests that came while their bucket or the global limit said to wait (each got a 429).</summary>
    public int EarlyRequests => Volatile.Read(ref _earlyRequests);

    /// <summary>429 answers given, scripted or earned.</summary>
    public int TooManyRequestsSent => Volatile.Read(ref _tooManyRequests);

    public IReadOnlyList<RecordedRequest> Requests { get { lock (_gate) return [.. _requests]; } }

    public IReadOnlyList<PostedMessage> ChannelMessages { get { lock (_gate) return [.. _channelMessages]; } }

    /// <summary>Edits of @original and follow-ups, in arrival order.</summary>
    public IReadOnlyList<PostedMessage> WebhookMessages { get { lock (_gate) return [.. _webhookMessages]; } }

    /// <summary>Interaction responses accepted on <c>POST /interactions/{id}/{token}/callback</c>, in arrival order.</summary>
    public IReadOnlyList<RecordedCallback> Callbacks { get { lock (_gate) return [.. _callbacks]; } }

    /// <summary>
    /// The <c>url</c> of <c>GET /gateway/bot</c>. Until a test sets it (or calls <see cref="UseGateway"/>) it names a
    /// closed loopback port, so that a forgetful test fails fast instead of reaching the real Discord.
    /// </summary>
    public string GatewayUrl { get; set; } = "ws://127.0.0.1:9";

    /// <summary><c>session_start_limit.remaining</c>: identifies left today. <see cref="UseGateway"/> counts it down as sessions start.</summary>
    public int SessionStartRemaining
    {
        get => Volatile.Read(ref _sessionStartRemaining);
        set => Volatile.Write(ref _sessionStartRemaining, value);
    }

    /// <summary><c>session_start_limit.reset_after</c>: when the day's identifies come back.</summary>
    public TimeSpan SessionStartResetAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary><c>session_start_limit.max_concurrency</c>; after <see cref="UseGateway"/>, the one that gateway enforces.</summary>
    public int MaxConcurrency
    {
        get => _gateway?.MaxConcurrency ?? _maxConcurrency;
        set
        {
            _maxConcurrency = value;
            if (_gateway is not null)
                _gateway.MaxConcurrency = value;
        }
    }

    /// <summary>
    /// The application's Interactions Endpoint URL in <c>GET /applications/@me</c>. While one is set, Discord sends
    /// interactions there and not over the gateway (platforms.md "1.x Gateway").
    /// </summary>
    public string? InteractionsEndpointUrl { get; set; }

    /// <summary>
    /// How long after <see cref="OpenInteraction"/> a callback is still accepted: Discord's 3 s from the interaction's
    /// creation, after which the callback gets 404 / 10062. Open the interaction when it is pushed.
    /// </summary>
    public TimeSpan CallbackDeadline { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Points <c>GET /gateway/bot</c> at <paramref name="gateway"/> and spends one session start from
    /// <see cref="SessionStartRemaining"/> each time an identify there starts a session, as Discord counts them;
    /// <c>max_concurrency</c> is then the one the gateway enforces.
    /// </summary>
    public void UseGateway(FakeDiscordGateway gateway)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        _gateway = gateway;
        GatewayUrl = gateway.Url.ToString().TrimEnd('/');
        gateway.SessionStarted += (_, _) => Interlocked.Decrement(ref _sessionStartRemaining);
    }

    /// <summary>The commands stored for a scope: null for global, else a guild id.</summary>
    public JsonArray Commands(string? guildId)
    {
        lock (_gate)
            return _commands.TryGetValue(guildId ?? "", out var list) ? (JsonArray)list.DeepClone() : [];
    }

    public IReadOnlyList<RecordedRequest> CommandWrites(string? guildId = null) =>
        [.. Requests.Where(r => r.Method == "PUT" && r.Path == CommandsPath(guildId))];

    public string CommandsPath(string? guildId) =>
        guildId is null ? $"/api/v10/applications/{ApplicationId}/commands" : $"/api/v10/applications/{ApplicationId}/guilds/{guildId}/commands";

    public void AddChannel(string channelId)
    {
        lock (_gate)
            _channels.Add(channelId);
    }

    /// <summary>Makes a channel answer with an error: 10003 (404), 50001 (403) or 50013 (403).</summary>
    public void SetChannelError(string channelId, int code)
    {
        var (status, message) = code switch
        {
            10003 => (404, "Unknown Channel"),
            50001 => (403, "Missing Access"),
            50013 => (403, "Missing Permissions"),
            _ => (400, "Error"),
        };
        lock (_gate)
            _channelErrors[channelId] = (status, code, message);
    }

    /// <summary>
    /// Makes an interaction known by its token, as Discord knows the interactions it sends.
    /// Without <paramref name="interactionId"/> (HTTP mode, where the first response is the HTTP reply the double never
    /// sees) the webhook routes accept the token at once. With it (gateway mode) the callback must name that id, and
    /// the webhook routes accept the token only after the callback has acknowledged the interaction, as Discord does.
    /// Either way <see cref="CallbackDeadline"/> runs from now.
    /// </summary>
    public void OpenInteraction(string token, string? interactionId = null)
    {
        lock (_gate)
            _interactions[token] = new OpenedInteraction(interactionId, _time.GetUtcNow());
    }

    /// <summary>Sets the size of a bucket: <paramref name="route"/> is a template such as "POST /channels/{id}/messages".</summary>
    public void SetBucket(string route, int limit, TimeSpan resetAfter)
    {
        lock (_gate)
        {
            _bucketConfig[route] = (limit, resetAfter);
            foreach (var key in _buckets.Keys.Where(k => k.StartsWith(route + "|", StringComparison.Ordinal)).ToList())
                _buckets.Remove(key);
        }
    }

    /// <summary>The next request (on <paramref name="route"/>, or any) gets a 429 asking to wait <paramref name="retryAfter"/>.</summary>
    public void RateLimitNext(TimeSpan retryAfter, bool global = false, string? route = null)
    {
        lock (_gate)
            _scriptedLimits.Enqueue(new ScriptedLimit(retryAfter, global, route));
    }

    /// <summary>The next request gets this status and Discord error code.</summary>
    public void FailNext(int status, int code = 0, string message = "Scripted failure")
    {
        lock (_gate)
            _failures.Enqueue((status, code, message));
    }

    /// <summary>Waits (polling) until <paramref name="condition"/> holds over the webhook messages, or fails after <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<PostedMessage>> WaitForWebhookMessagesAsync(Func<IReadOnlyList<PostedMessage>, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var messages = WebhookMessages;
            if (condition(messages))
                return messages;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"webhook messages did not arrive; got {messages.Count}: {string.Join(", ", messages.Select(m => m.Method + " " + m.Path))}");
            await Task.Delay(50);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8))
            body = await reader.ReadToEndAsync();
        var path = request.Path.Value ?? "";
        var method = request.Method;
        var route = RouteOf(method, path, out var major, out var interactionToken);
        var now = _time.GetUtcNow();
        Reply reply;
        lock (_gate)
            reply = Answer(request, method, path, route, major, interactionToken, body, now);

        lock (_gate)
        {
            _requests.Add(new RecordedRequest(method, path, request.QueryString.Value ?? "", Header(request, "Authorization"), Header(request, "User-Agent"),
                request.ContentType, body, now, reply.Status));
        }
        context.Response.StatusCode = reply.Status;
        foreach (var (name, value) in reply.Headers)
            context.Response.Headers[name] = value;
        if (reply.Body is not null)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(reply.Body);
        }
    }

    private Reply Answer(HttpRequest request, string method, string path, string route, string major, string? interactionToken, string body, DateTimeOffset now)
    {
        // The interaction routes (webhooks and the callback) are authenticated by the token in their path.
        var isWebhook = interactionToken is not null;
        if (!isWebhook && Header(request, "Authorization") != "Bot " + Token)
            return Error(401, 0, "401: Unauthorized");
        if (Header(request, "User-Agent") is not { } agent || !agent.StartsWith("DiscordBot (", StringComparison.Ordinal))
            return new Reply(403, null, []); // Cloudflare turns away clients without a proper User-Agent
        if (route.Length == 0)
            return Error(404, 0, "404: Not Found");

        // Limits first, as Discord does: a request that should have waited is refused whatever it asks.
        var bucketKey = route + "|" + major;
        var state = BucketFor(route, bucketKey, now);
        var global = !isWebhook && _globalUntil - now > Tolerance;
        if (global || (state.Remaining <= 0 && state.ResetAt - now > Tolerance))
        {
            _earlyRequests++;
            _tooManyRequests++;
            var wait = global ? _globalUntil - now : state.ResetAt - now;
            return TooMany(wait, global, route, state);
        }
        if (_scriptedLimits.TryPeek(out var scripted) && (scripted.Route is null || scripted.Route == route))
        {
            _scriptedLimits.Dequeue();
            _tooManyRequests++;
            if (scripted.Global)
                _globalUntil = now + scripted.RetryAfter;
            else
            {
                state.Remaining = 0;
                state.ResetAt = now + scripted.RetryAfter;
            }
            return TooMany(scripted.RetryAfter, scripted.Global, route, state);
        }
        state.Remaining--;
        var headers = RateHeaders(route, state, now);
        if (_failures.TryDequeue(out var failure))
            return Error(failure.Status, failure.Code, failure.Message) with { Headers = headers };

        if (body.Length > 0 && request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
            return Error(400, 50035, "Invalid Form Body (Content-Type must be application/json)") with { Headers = headers };

        var reply = route switch
        {
            "GET /applications/{app}/commands" or "GET /applications/{app}/guilds/{guild}/commands" => GetCommands(major, request.Query["with_localizations"] == "true"),
            "PUT /applications/{app}/commands" or "PUT /applications/{app}/guilds/{guild}/commands" => PutCommands(major, body),
            "POST /channels/{channel}/messages" => PostChannelMessage(major, path, body),
            "PATCH /webhooks/{app}/{token}/messages/@original" or "POST /webhooks/{app}/{token}" => WebhookMessage(method, path, interactionToken!, body),
            "POST /interactions/{id}/{token}/callback" => Callback(major, interactionToken!, body, now),
            "GET /gateway/bot" => GatewayBot(),
            "GET /applications/@me" => CurrentApplication(),
            _ => Error(404, 0, "404: Not Found"),
        };
        return reply with { Headers = headers };
    }

    private Reply GetCommands(string scope, bool withLocalizations)
    {
        var key = scope == ApplicationId ? "" : scope;
        var list = _commands.TryGetValue(key, out var stored) ? (JsonArray)stored.DeepClone() : [];
        if (!withLocalizations)
        {
            // Without ?with_localizations=true Discord sends only the caller's localized strings, not the dictionaries.
            foreach (var command in list.OfType<JsonObject>())
                StripLocalizations(command);
        }
        return new Reply(200, list.ToJsonString(Compact), []);
    }

    private static void StripLocalizations(JsonObject node)
    {
        node.Remove("name_localizations");
        node.Remove("description_localizations");
        if (node["options"] is JsonArray options)
        {
            foreach (var option in options.OfType<JsonObject>())
                StripLocalizations(option);
        }
    }

    private Reply PutCommands(string scope, string body)
    {
        JsonArray? commands;
        try
        {
            commands = JsonNode.Parse(body) as JsonArray;
        }
        catch (JsonException)
        {
            commands = null;
        }
        if (commands is null)
            return Error(400, 50035, "Invalid Form Body");
        var problems = DiscordLimits.CommandProblems(commands);
        if (problems.Count > 0)
            return Error(400, 50035, "Invalid Form Body: " + string.Join("; ", problems));
        var stored = new JsonArray();
        foreach (var command in commands.OfType<JsonObject>())
        {
            var copy = (JsonObject)command.DeepClone();
            copy["id"] = NextId();
            copy["application_id"] = ApplicationId;
            copy["version"] = (_version++).ToString(CultureInfo.InvariantCulture);
            copy["type"] ??= 1;
            // As Discord: the permissions and contexts asked for are kept; what was not set comes back at its default.
            copy["default_member_permissions"] ??= null;
            copy["dm_permission"] ??= true;
            copy["contexts"] ??= null;
            copy["nsfw"] = false;
            copy["integration_types"] = new JsonArray(0);
            if (scope != ApplicationId)
                copy["guild_id"] = scope;
            stored.Add(copy);
        }
        _commands[scope == ApplicationId ? "" : scope] = stored;
        return new Reply(200, stored.ToJsonString(Compact), []);
    }

    private Reply PostChannelMessage(string channelId, string path, string body)
    {
        if (_channelErrors.TryGetValue(channelId, out var error))
            return Error(error.Status, error.Code, error.Message);
        if (!_channels.Contains(channelId))
            return Error(404, 10003, "Unknown Channel");
        return StoreMessage("POST", path, null, channelId, body, _channelMessages);
    }

    private Reply WebhookMessage(string method, string path, string token, string body)
    {
        if (!_interactions.TryGetValue(token, out var interaction) || (interaction.Id is not null && !interaction.Acknowledged))
            return Error(404, 10015, "Unknown Webhook");
        return StoreMessage(method, path, token, null, body, _webhookMessages);
    }

    /// <summary>
    /// An interaction response sent apart from the interaction (how a gateway interaction is answered), checked as
    /// Discord checks it: a known, unexpired interaction (10062), once (40060), with a valid response body (50035).
    /// </summary>
    private Reply Callback(string interactionId, string token, string body, DateTimeOffset now)
    {
        if (!_interactions.TryGetValue(token, out var interaction) || (interaction.Id is not null && interaction.Id != interactionId))
            return Error(404, 10062, "Unknown interaction");
        if (interaction.Acknowledged)
            return Error(400, 40060, "Interaction has already been acknowledged.");
        if (now - interaction.OpenedAt > CallbackDeadline)
            return Error(404, 10062, "Unknown interaction");
        JsonObject? response;
        try
        {
            response = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            response = null;
        }
        if (response?["type"] is not JsonValue typeValue || !typeValue.TryGetValue<int>(out var type))
            return Error(400, 50035, "Invalid Form Body (type is required)");
        var data = response["data"] as JsonObject;
        // 4 message, 5 deferred message, 6 deferred update, 7 update, 8 autocomplete result, 9 modal, 12 launch activity;
        // 1 (PONG) answers only a PING, which never comes over the gateway.
        if (type is not (4 or 5 or 6 or 7 or 8 or 9 or 12))
            return Error(400, 50035, $"Invalid Form Body (type {type} is not an interaction callback type here)");
        if (CallbackProblem(type, data) is { } problem)
            return Error(400, problem.Code, "Invalid Form Body: " + problem.Message);
        interaction.Acknowledged = true;
        _callbacks.Add(new RecordedCallback(interactionId, token, type, (JsonObject?)data?.DeepClone(), now));
        return new Reply(204, null, []);
    }

    /// <summary>The limits of platforms.md §1.4 on a callback's data: a message's limits, EPHEMERAL only on a defer, 25 choices.</summary>
    private static (int Code, string Message)? CallbackProblem(int type, JsonObject? data)
    {
        if (type is 4 or 7)
        {
            if (data is null)
                return type == 4 ? (50006, DiscordLimits.EmptyMessage) : null;
            using var document = JsonDocument.Parse(data.ToJsonString());
            // An UPDATE_MESSAGE may change only some fields; a new message must have something in it.
            var problems = DiscordLimits.MessageProblems(document.RootElement).Where(p => type == 4 || p != DiscordLimits.EmptyMessage).ToList();
            return problems.Count == 0 ? null : (problems.Contains(DiscordLimits.EmptyMessage) ? 50006 : 50035, string.Join("; ", problems));
        }
        var flags = data is null ? null : data["flags"] as JsonValue;
        if (type == 5 && flags is not null && (!flags.TryGetValue<long>(out var bits) || (bits & ~64L) != 0))
            return (50035, "a deferred response takes only the EPHEMERAL flag (64)");
        var choices = data is null ? null : data["choices"] as JsonArray;
        if (type == 8 && (choices is not { Count: <= 25 } || choices.Any(c => c is not JsonObject choice || choice["name"] is not JsonValue name
            || !name.TryGetValue<string>(out var text) || text.Length is < 1 or > 100)))
            return (50035, "an autocomplete result has at most 25 choices, each named in 1-100 characters");
        return null;
    }

    private Reply GatewayBot() => new(200, new JsonObject
    {
        ["url"] = GatewayUrl,
        ["shards"] = 1,
        ["session_start_limit"] = new JsonObject
        {
            ["total"] = 1000,
            ["remaining"] = Math.Max(0, SessionStartRemaining),
            ["reset_after"] = (long)SessionStartResetAfter.TotalMilliseconds,
            ["max_concurrency"] = MaxConcurrency,
        },
    }.ToJsonString(Compact), []);

    /// <summary>The application object of <c>GET /applications/@me</c>, with the fields a bot reads.</summary>
    private Reply CurrentApplication() => new(200, new JsonObject
    {
        ["id"] = ApplicationId,
        ["name"] = "KernelDigest",
        ["icon"] = null,
        ["description"] = "Linux kernel reports",
        ["bot_public"] = true,
        ["bot_require_code_grant"] = false,
        ["verify_key"] = "0000000000000000000000000000000000000000000000000000000000000000",
        ["flags"] = 0,
        ["interactions_endpoint_url"] = InteractionsEndpointUrl,
        ["bot"] = new JsonObject { ["id"] = ApplicationId, ["username"] = "KernelDigest", ["discriminator"] = "0", ["bot"] = true },
    }.ToJsonString(Compact), []);

    private Reply StoreMessage(string method, string path, string? token, string? channelId, string body, List<PostedMessage> into)
    {
        JsonObject? message;
        try
        {
            message = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            message = null;
        }
        if (message is null)
            return Error(400, 50035, "Invalid Form Body");
        using var document = JsonDocument.Parse(body);
        var problems = DiscordLimits.MessageProblems(document.RootElement);
        if (problems.Count > 0)
            return Error(400, problems.Contains(DiscordLimits.EmptyMessage) ? 50006 : 50035, "Invalid Form Body: " + string.Join("; ", problems));
        var id = NextId();
        into.Add(new PostedMessage(method, path, token, channelId, id, message));
        var echo = (JsonObject)message.DeepClone();
        echo["id"] = id;
        echo["channel_id"] = channelId ?? "222222222222222222";
        echo.Remove("allowed_mentions");
        echo.Remove("nonce");
        echo.Remove("enforce_nonce");
        return new Reply(200, echo.ToJsonString(Compact), []);
    }

    private BucketState BucketFor(string route, string key, DateTimeOffset now)
    {
        if (!_buckets.TryGetValue(key, out var state))
        {
            var (limit, reset) = _bucketConfig.TryGetValue(route, out var config) ? config : (50, TimeSpan.FromSeconds(1));
            state = new BucketState { Limit = limit, ResetAfter = reset, Remaining = limit, ResetAt = now + reset };
            _buckets[key] = state;
        }
        if (state.ResetAt - now <= Tolerance)
        {
            state.Remaining = state.Limit;
            state.ResetAt = now + state.ResetAfter;
        }
        return state;
    }

    private static List<KeyValuePair<string, string>> RateHeaders(string route, BucketState state, DateTimeOffset now)
    {
        var after = Math.Max(0, (state.ResetAt - now).TotalSeconds);
        return
        [
            new("X-RateLimit-Limit", state.Limit.ToString(CultureInfo.InvariantCulture)),
            new("X-RateLimit-Remaining", Math.Max(0, state.Remaining).ToString(CultureInfo.InvariantCulture)),
            new("X-RateLimit-Reset", (state.ResetAt.ToUnixTimeMilliseconds() / 1000.0).ToString("F3", CultureInfo.InvariantCulture)),
            new("X-RateLimit-Reset-After", after.ToString("F3", CultureInfo.InvariantCulture)),
            new("X-RateLimit-Bucket", BucketHash(route)),
        ];
    }

    private Reply TooMany(TimeSpan wait, bool global, string route, BucketState state)
    {
        var seconds = Math.Max(0.001, wait.TotalSeconds);
        var body = new JsonObject
        {
            ["message"] = "You are being rate limited.",
            ["retry_after"] = Math.Round(seconds, 3),
            ["global"] = global,
        };
        var headers = new List<KeyValuePair<string, string>>
        {
            new("Retry-After", Math.Ceiling(seconds).ToString(CultureInfo.InvariantCulture)),
            new("X-RateLimit-Scope", global ? "global" : "user"),
        };
        if (global)
            headers.Add(new("X-RateLimit-Global", "true"));
        else
            headers.AddRange(RateHeaders(route, state, _time.GetUtcNow()));
        return new Reply(429, body.ToJsonString(), headers);
    }

    /// <summary>The route template of a request, its top-level resource, and for webhooks the token.</summary>
    private string RouteOf(string method, string path, out string major, out string? interactionToken)
    {
        major = "";
        interactionToken = null;
        var match = RouteRegex().Match(path);
        if (!match.Success)
            return "";
        if (match.Groups["gateway"].Success)
            return method == "GET" ? "GET /gateway/bot" : "";
        if (match.Groups["me"].Success)
            return method == "GET" ? "GET /applications/@me" : "";
        if (match.Groups["itoken"].Success)
        {
            // Discord's bucket for a callback is per interaction.
            interactionToken = match.Groups["itoken"].Value;
            major = match.Groups["iid"].Value;
            return method == "POST" ? "POST /interactions/{id}/{token}/callback" : "";
        }
        if (match.Groups["app"].Success && match.Groups["app"].Value != ApplicationId)
            return "";
        if (match.Groups["guild"].Success)
        {
            major = match.Groups["guild"].Value;
            return $"{method} /applications/{{app}}/guilds/{{guild}}/commands";
        }
        if (match.Groups["commands"].Success)
        {
            major = ApplicationId;
            return $"{method} /applications/{{app}}/commands";
        }
        if (match.Groups["channel"].Success)
        {
            major = match.Groups["channel"].Value;
            return method == "POST" ? "POST /channels/{channel}/messages" : "";
        }
        if (match.Groups["token"].Success)
        {
            interactionToken = match.Groups["token"].Value;
            major = match.Groups["whapp"].Value + "/" + interactionToken;
            if (match.Groups["original"].Success)
                return method == "PATCH" ? "PATCH /webhooks/{app}/{token}/messages/@original" : "";
            return method == "POST" ? "POST /webhooks/{app}/{token}" : "";
        }
        return "";
    }

    [GeneratedRegex(@"^/api/v10/(?:applications/(?<app>\d+)/(?:guilds/(?<guild>\d+)/commands|(?<commands>commands))|(?<me>applications/@me)|(?<gateway>gateway/bot)|channels/(?<channel>\d+)/messages|webhooks/(?<whapp>\d+)/(?<token>[A-Za-z0-9._-]+)(?<original>/messages/@original)?|interactions/(?<iid>\d+)/(?<itoken>[A-Za-z0-9._-]+)/callback)$")]
    private static partial Regex RouteRegex();

    private static string BucketHash(string route) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(route)))[..16];

    private static string? Header(HttpRequest request, string name) =>
        request.Headers.TryGetValue(name, out var value) ? value.ToString() : null;

    private static Reply Error(int status, int code, string message) =>
        new(status, new JsonObject { ["message"] = message, ["code"] = code }.ToJsonString(), []);

    private string NextId() => (_nextId++).ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed record Reply(int Status, string? Body, List<KeyValuePair<string, string>> Headers);

    private sealed record ScriptedLimit(TimeSpan RetryAfter, bool Global, string? Route);

    /// <summary>An interaction the double knows: its id (gateway mode) and whether a callback has acknowledged it.</summary>
    private sealed class OpenedInteraction(string? id, DateTimeOffset openedAt)
    {
        public string? Id { get; } = id;
        public DateTimeOffset OpenedAt { get; } = openedAt;
        public bool Acknowledged { get; set; }
    }

    private sealed class BucketState
    {
        public int Limit { get; init; }
        public TimeSpan ResetAfter { get; init; }
        public int Remaining { get; set; }
        public DateTimeOffset ResetAt { get; set; }
    }
}

/// <summary>One request as the double saw it, with the status it answered.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, string? Authorization, string? UserAgent, string? ContentType, string Body, DateTimeOffset At, int Status);

/// <summary>An interaction response the double accepted on the callback route: the response's <c>type</c> and <c>data</c>.</summary>
public sealed record RecordedCallback(string InteractionId, string Token, int Type, JsonObject? Data, DateTimeOffset At);

/// <summary>A message the double accepted: on a channel, or through an interaction webhook (edit of @original or follow-up).</summary>
public sealed record PostedMessage(string Method, string Path, string? Token, string? ChannelId, string Id, JsonObject Body)
{
    public bool IsEditOfOriginal => Method == "PATCH";
}
