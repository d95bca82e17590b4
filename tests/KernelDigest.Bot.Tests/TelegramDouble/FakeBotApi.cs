using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
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
using Telegram.Bot;

namespace KernelDigest.Bot.Tests.TelegramDouble;

/// <summary>
/// An in-process fake of the Telegram Bot API server for tests: Kestrel on <c>127.0.0.1</c> with a random port,
/// speaking the real wire protocol (<c>POST /bot{token}/{method}</c>, JSON/form/multipart parameters,
/// <c>{"ok":true,"result":…}</c> / <c>{"ok":false,"error_code":…,"description":…,"parameters":…}</c> with HTTP status = error_code),
/// so the real <see cref="TelegramBotClient"/> can be pointed at <see cref="BaseUrl"/>.
/// </summary>
/// <remarks>
/// Everything it answers is recorded (<see cref="Requests"/> and the typed lists). Updates are fed with
/// <see cref="EnqueueUpdate"/> and the <c>Enqueue…</c> helpers and served by getUpdates, or pushed to a webhook
/// with <see cref="PostUpdateToWebhook"/>. Faults: <see cref="FailNext"/>, <see cref="FailNextWithHtml"/>,
/// <see cref="DelayNext"/>, <see cref="RateLimit"/>. See <c>platforms.md</c> §2 for the behaviour it imitates.
/// </remarks>
public sealed partial class FakeBotApi : IAsyncDisposable
{
    public const string DefaultToken = "123:TEST";
    public const string DefaultBotUsername = "kernel_digest_test_bot";

    /// <summary>The description Telegram gives for an unknown or expired callback/inline query id.</summary>
    public const string QueryTooOld = "Bad Request: query is too old and response timeout expired or query ID is invalid";

    public const string MessageNotModified = "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";

    private const int MaxTextLength = 4096;

    private static readonly JsonSerializerOptions WriteOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly HashSet<string> KnownMethods = new(StringComparer.Ordinal)
    {
        "getme", "getupdates", "sendmessage", "editmessagetext", "answercallbackquery", "answerinlinequery",
        "setmycommands", "getmycommands", "deletemycommands", "setwebhook", "deletewebhook", "getwebhookinfo",
        "getchatmember", "getchatadministrators", "sendchataction", "deletemessage", "leavechat",
    };

    /// <summary>Update types an empty or absent allowed_updates leaves out (TBA <c>getUpdates</c>).</summary>
    private static readonly HashSet<string> ExcludedByDefault = new(StringComparer.Ordinal) { "chat_member", "message_reaction", "message_reaction_count" };

    private static readonly HashSet<string> ScopeTypes = new(StringComparer.Ordinal)
    {
        "default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat", "chat_administrators", "chat_member",
    };

    private static readonly string[] ButtonActions =
    [
        "callback_data", "url", "switch_inline_query", "switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
        "web_app", "login_url", "callback_game", "pay", "copy_text", "disabled",
    ];

    private static readonly JsonElement EmptyObject = Parse("{}");

    private readonly WebApplication _app;
    private readonly HttpClient _webhookClient = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly CancellationTokenSource _shutdown = new();
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();

    // Recorded calls.
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<SentMessage> _sent = [];
    private readonly List<EditedMessage> _edited = [];
    private readonly List<CallbackAnswer> _callbackAnswers = [];
    private readonly List<InlineAnswer> _inlineAnswers = [];
    private readonly List<CommandsCall> _commandCalls = [];
    private readonly List<WebhookCall> _webhookCalls = [];

    // Server state.
    private readonly List<PendingUpdate> _pending = [];
    private readonly Dictionary<long, ChatInfo> _chats = [];
    private readonly Dictionary<(long Chat, int Message), KnownMessage> _messages = [];
    private readonly Dictionary<(long Chat, long User), string> _members = [];
    private readonly Dictionary<string, List<RecordedCommand>> _commandsByScope = new(StringComparer.Ordinal);
    private readonly HashSet<string> _callbackIds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inlineIds = new(StringComparer.Ordinal);
    private readonly List<FaultRule> _faults = [];
    private readonly List<DelayRule> _delays = [];
    private HashSet<string>? _allowedUpdates;
    private RateLimiter? _rate;
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextUpdateId;
    private int _lastMessageId = 1000;
    private long _lastQueryId = 4_300_000_000_000_000_000;
    private int _pollGeneration;
    private int _tooManyRequests;
    private int _pollsInFlight;
    private int _disposed;
    private string _webhookUrl = "";
    private string? _webhookSecret;
    private int? _webhookMaxConnections;
    private string? _webhookIp;

    /// <summary>Starts the server (synchronously; Kestrel binds in milliseconds). Dispose it with <c>await using</c>.</summary>
    /// <param name="token">The one token the server accepts; must look like <c>&lt;digits&gt;:&lt;anything&gt;</c>. Its numeric part is <see cref="BotId"/>.</param>
    /// <param name="botUsername">Returned by getMe.</param>
    /// <param name="firstUpdateId">The update_id of the first enqueued update; later ones count up from it.</param>
    /// <param name="timeProvider">Clock for message dates and the rate limiter windows (long-poll waits use real time).</param>
    public FakeBotApi(string token = DefaultToken, string botUsername = DefaultBotUsername, long firstUpdateId = 1000, TimeProvider? timeProvider = null)
    {
        var colon = token.IndexOf(':', StringComparison.Ordinal);
        if (colon is < 1 or > 16 || !long.TryParse(token.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var botId))
            throw new ArgumentException("A bot token looks like '<1-16 digits>:<anything>'", nameof(token));
        Token = token;
        BotId = botId;
        BotUsername = botUsername;
        _nextUpdateId = firstUpdateId;
        _time = timeProvider ?? TimeProvider.System;

        (_app, var address) = LoopbackServer.Start(HandleAsync);
        BaseUrl = new Uri(address, "/");
    }

    /// <summary>Starts a server without blocking the calling thread.</summary>
    public static Task<FakeBotApi> StartAsync(string token = DefaultToken, string botUsername = DefaultBotUsername, long firstUpdateId = 1000, TimeProvider? timeProvider = null) =>
        Task.Run(() => new FakeBotApi(token, botUsername, firstUpdateId, timeProvider));

    /// <summary>e.g. <c>http://127.0.0.1:41234/</c>: pass <c>BaseUrl.ToString()</c> as TelegramBotClientOptions.baseUrl.</summary>
    public Uri BaseUrl { get; }

    public string Token { get; }

    public long BotId { get; }

    public string BotUsername { get; }

    public string BotFirstName { get; set; } = "KernelDigest Test Bot";

    /// <summary>Reject a '&amp;' that does not start &amp;lt; &amp;gt; &amp;amp; &amp;quot; or a numeric entity (default true; the real server shows it literally).</summary>
    public bool StrictHtmlEntities { get; set; } = true;

    /// <summary>setWebhook demands https and a port of 443/80/88/8443, as Telegram does (default true).</summary>
    public bool RequireHttpsWebhook { get; set; } = true;

    /// <summary>Longest time a getUpdates long poll is held open (default 1 s; Telegram.Bot sends timeout = HttpClient.Timeout).</summary>
    public TimeSpan LongPollCap { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>getChatMember status for pairs not set with <see cref="SetChatMember"/> (default "member").</summary>
    public string DefaultMemberStatus { get; set; } = "member";

    /// <summary>How many 429 answers were given (rate limiter and <see cref="FailNext"/> with 429).</summary>
    public int TooManyRequestsSent => Volatile.Read(ref _tooManyRequests);

    public IReadOnlyList<RecordedRequest> Requests { get { lock (_gate) return [.. _requests]; } }

    public IReadOnlyList<SentMessage> SentMessages { get { lock (_gate) return [.. _sent]; } }

    public IReadOnlyList<EditedMessage> EditedMessages { get { lock (_gate) return [.. _edited]; } }

    public IReadOnlyList<CallbackAnswer> CallbackAnswers { get { lock (_gate) return [.. _callbackAnswers]; } }

    public IReadOnlyList<InlineAnswer> InlineAnswers { get { lock (_gate) return [.. _inlineAnswers]; } }

    /// <summary>setMyCommands (and deleteMyCommands) calls.</summary>
    public IReadOnlyList<CommandsCall> Commands { get { lock (_gate) return [.. _commandCalls]; } }

    /// <summary>setWebhook and deleteWebhook calls.</summary>
    public IReadOnlyList<WebhookCall> WebhookCalls { get { lock (_gate) return [.. _webhookCalls]; } }

    /// <summary>The webhook URL set by setWebhook, or "" when none (getUpdates then works).</summary>
    public string WebhookUrl { get { lock (_gate) return _webhookUrl; } }

    public string? WebhookSecret { get { lock (_gate) return _webhookSecret; } }

    /// <summary>getUpdates calls currently held open by the server (long polls).</summary>
    public int PollsInFlight => Volatile.Read(ref _pollsInFlight);

    /// <summary>Updates enqueued and not yet confirmed by a getUpdates offset.</summary>
    public int PendingUpdateCount { get { lock (_gate) return _pending.Count; } }

    /// <summary>Requests for one method (case-insensitive).</summary>
    public IReadOnlyList<RecordedRequest> RequestsFor(string method)
    {
        lock (_gate)
            return [.. _requests.Where(r => r.Is(method))];
    }

    /// <summary>A real client for this server: <c>RetryThreshold = 0</c> so a 429 surfaces at once.</summary>
    public TelegramBotClient CreateClient(string? token = null, HttpClient? httpClient = null) =>
        new(new TelegramBotClientOptions(token ?? Token, BaseUrl.ToString()) { RetryThreshold = 0 }, httpClient);

    /// <summary>
    /// Polls <paramref name="probe"/> until it returns a non-default value (not null / false / 0) and returns it.
    /// Throws <see cref="TimeoutException"/> listing the latest requests when <paramref name="timeout"/> passes first.
    /// </summary>
    public async Task<T> WaitFor<T>(Func<FakeBotApi, T?> probe, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = probe(this);
            if (value is not null && !EqualityComparer<T>.Default.Equals(value, default))
                return value;
            if (clock.Elapsed >= timeout)
                throw new TimeoutException($"FakeBotApi.WaitFor: condition not met within {timeout.TotalSeconds:0.###} s. Latest requests: {DescribeRecent()}");
            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for an accepted sendMessage (optionally matching) and returns it.</summary>
    public Task<SentMessage> WaitForSentMessage(Func<SentMessage, bool>? match = null, TimeSpan? timeout = null) =>
        WaitFor(f => f.SentMessages.FirstOrDefault(m => match is null || match(m)), timeout ?? TimeSpan.FromSeconds(10));

    /// <summary>Waits until at least <paramref name="count"/> requests for <paramref name="method"/> were answered.</summary>
    public Task<IReadOnlyList<RecordedRequest>> WaitForRequests(string method, int count = 1, TimeSpan? timeout = null) =>
        WaitFor(f => f.RequestsFor(method) is { } list && list.Count >= count ? list : null, timeout ?? TimeSpan.FromSeconds(10));

    /// <summary>Forgets what was recorded (requests and typed lists, and the 429 count); server state stays.</summary>
    public void ClearRecorded()
    {
        lock (_gate)
        {
            _requests.Clear();
            _sent.Clear();
            _edited.Clear();
            _callbackAnswers.Clear();
            _inlineAnswers.Clear();
            _commandCalls.Clear();
            _webhookCalls.Clear();
            _tooManyRequests = 0;
        }
    }

    // ---------------------------------------------------------------- configuration of the fake world

    /// <summary>Sets what getChatMember answers for (chat, user): creator, administrator, member, restricted, left or kicked.</summary>
    public void SetChatMember(long chatId, long userId, string status)
    {
        _ = ChatMemberJson(status, userId, BotId, BotUserJson(false)); // validates the status
        lock (_gate)
            _members[(chatId, userId)] = status;
    }

    /// <summary>Declares a chat's type (private, group, supergroup, channel), title, @username (for "@name" chat ids) and forum flag.</summary>
    public void SetChat(long chatId, string type, string? title = null, string? username = null, bool isForum = false)
    {
        CheckChatType(type);
        lock (_gate)
            _chats[chatId] = new ChatInfo(chatId, type, title, username, isForum);
    }

    // ---------------------------------------------------------------- fault injection

    /// <summary>
    /// The next <paramref name="times"/> calls of <paramref name="method"/> (case-insensitive; "*" = any method),
    /// optionally only those for <paramref name="chatId"/>, fail with HTTP status = <paramref name="errorCode"/> and
    /// <c>{"ok":false,"error_code":…,"description":…,"parameters":{"retry_after":…,"migrate_to_chat_id":…}}</c>.
    /// Use <c>times: int.MaxValue</c> for a permanent failure (e.g. a user who blocked the bot).
    /// </summary>
    public void FailNext(string method, int errorCode, string description, int? retryAfter = null, long? migrateToChatId = null, int times = 1, long? chatId = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(times, 1);
        var reply = Error(errorCode, description, retryAfter, migrateToChatId);
        lock (_gate)
            _faults.Add(new FaultRule(method.ToLowerInvariant(), chatId, reply) { Remaining = times });
    }

    /// <summary>The next calls of <paramref name="method"/> get a non-JSON HTML error page with <paramref name="status"/>, like a proxy in front of the API.</summary>
    public void FailNextWithHtml(string method, int status = 502, int times = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(times, 1);
        var reason = status switch { 502 => "Bad Gateway", 503 => "Service Unavailable", 504 => "Gateway Time-out", 500 => "Internal Server Error", _ => "Error" };
        var html = $"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n";
        lock (_gate)
            _faults.Add(new FaultRule(method.ToLowerInvariant(), null, new Reply(status, html, "text/html")) { Remaining = times });
    }

    /// <summary>
    /// The next <paramref name="times"/> calls of <paramref name="method"/> ("*" = any) have their connection reset
    /// before the API acts on them, as a proxy or a network path dropping it would: the client sees a network error
    /// with no HTTP answer, and nothing was sent. Recorded with status 0.
    /// </summary>
    public void ResetNext(string method, int times = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(times, 1);
        lock (_gate)
            _faults.Add(new FaultRule(method.ToLowerInvariant(), null, ConnectionReset) { Remaining = times });
    }

    private static readonly Reply ConnectionReset = new(0, "", "");

    /// <summary>The next calls of <paramref name="method"/> ("*" = any) are held for <paramref name="delay"/> before being handled (timeouts, ordering).</summary>
    public void DelayNext(string method, TimeSpan delay, int times = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(times, 1);
        lock (_gate)
            _delays.Add(new DelayRule(method.ToLowerInvariant(), delay) { Remaining = times });
    }

    /// <summary>
    /// Flood control for sendMessage/editMessageText: at most <paramref name="perSecondGlobal"/> accepted calls in any 1 s window,
    /// <paramref name="perMinutePerGroup"/> per negative chat id (groups, supergroups, channels) in any 60 s window,
    /// <paramref name="perSecondPerChat"/> per chat in any 1 s window. Over the limit: 429 "Too Many Requests: retry after N"
    /// with parameters.retry_after = N ≥ 1 (seconds until the oldest call leaves its window). Rejected calls do not count.
    /// </summary>
    public void RateLimit(int perSecondGlobal, int perMinutePerGroup = 20, int perSecondPerChat = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perSecondGlobal, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(perMinutePerGroup, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(perSecondPerChat, 1);
        lock (_gate)
            _rate = new RateLimiter(perSecondGlobal, perMinutePerGroup, perSecondPerChat);
    }

    public void ClearRateLimit()
    {
        lock (_gate)
            _rate = null;
    }

    /// <summary>Removes pending FailNext/FailNextWithHtml/DelayNext rules and the rate limit.</summary>
    public void ClearFaults()
    {
        lock (_gate)
        {
            _faults.Clear();
            _delays.Clear();
            _rate = null;
        }
    }

    // ---------------------------------------------------------------- webhook driving

    /// <summary>
    /// POSTs <paramref name="update"/> (same forms as <see cref="EnqueueUpdate"/>; update_id assigned when missing) as JSON to the bot's
    /// webhook like Telegram does, with <c>X-Telegram-Bot-Api-Secret-Token</c> when <paramref name="secret"/> is not null.
    /// A 2XX response whose JSON body has <c>"method"</c> is executed as a Bot API call (recorded with ViaWebhookResponse = true).
    /// The response content is buffered, so it can still be read.
    /// </summary>
    public async Task<HttpResponseMessage> PostUpdateToWebhook(Uri webhookUrl, object update, string? secret)
    {
        ArgumentNullException.ThrowIfNull(webhookUrl);
        ArgumentNullException.ThrowIfNull(update);
        PendingUpdate prepared;
        lock (_gate)
            prepared = PrepareUpdateLocked(update);
        using var request = new HttpRequestMessage(HttpMethod.Post, webhookUrl)
        {
            Content = new StringContent(prepared.Json, Encoding.UTF8, "application/json"),
        };
        if (secret is not null)
            request.Headers.TryAddWithoutValidation("X-Telegram-Bot-Api-Secret-Token", secret);
        var response = await _webhookClient.SendAsync(request, _shutdown.Token).ConfigureAwait(false);
        await response.Content.LoadIntoBufferAsync(_shutdown.Token).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
            await RunWebhookReplyAsync(await response.Content.ReadAsStringAsync(_shutdown.Token).ConfigureAwait(false)).ConfigureAwait(false);
        return response;
    }

    private async Task RunWebhookReplyAsync(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
            return;
        JsonElement call;
        try
        {
            call = Parse(body);
        }
        catch (JsonException)
        {
            return;
        }
        if (call.ValueKind != JsonValueKind.Object || Str(call, "method") is not { Length: > 0 } method)
            return;
        var arrived = _time.GetUtcNow();
        var reply = await DispatchAsync(method, call, _shutdown.Token).ConfigureAwait(false);
        Record(new RecordedRequest(method, call, arrived, new Dictionary<string, string>(), reply.Status, ViaWebhookResponse: true));
    }

    // ---------------------------------------------------------------- HTTP plumbing

    private async Task HandleAsync(HttpContext context)
    {
        var arrived = _time.GetUtcNow();
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in context.Request.Headers)
            headers[name] = value.ToString();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _shutdown.Token);
        var path = context.Request.Path.Value ?? "";
        var method = path;
        var body = EmptyObject;
        Reply reply;
        try
        {
            if (!TryParsePath(path, out var token, out var parsedMethod))
            {
                reply = Error(404, "Not Found");
            }
            else
            {
                method = parsedMethod;
                string? bodyError = null;
                try
                {
                    body = await ReadBodyAsync(context.Request, linked.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is JsonException or InvalidDataException or InvalidOperationException or IOException)
                {
                    bodyError = "Bad Request: can't parse JSON encoded request";
                }
                if (!string.Equals(token, Token, StringComparison.Ordinal))
                    reply = Error(401, "Unauthorized");
                else if (bodyError is not null)
                    reply = Error(400, bodyError);
                else
                    reply = await DispatchAsync(method, body, linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            return; // the client went away or the server is stopping
        }

        Record(new RecordedRequest(method, body, arrived, headers, reply.Status, ViaWebhookResponse: false));
        if (reply.Status == ConnectionReset.Status)
        {
            context.Abort();
            return;
        }
        context.Response.StatusCode = reply.Status;
        context.Response.ContentType = reply.ContentType;
        try
        {
            await context.Response.WriteAsync(reply.Body, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
        }
    }

    private static bool TryParsePath(string path, out string token, out string method)
    {
        token = method = "";
        if (!path.StartsWith("/bot", StringComparison.Ordinal))
            return false;
        var rest = path[4..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == rest.Length - 1 || rest.IndexOf('/', slash + 1) >= 0)
            return false;
        token = rest[..slash];
        method = rest[(slash + 1)..];
        return true;
    }

    private static async Task<JsonElement> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        var fields = new JsonObject();
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct).ConfigureAwait(false);
            foreach (var (name, value) in form)
                fields[name] = value.ToString();
        }
        else
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var text = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
            if (!string.IsNullOrWhiteSpace(text))
                fields = JsonNode.Parse(text) as JsonObject ?? throw new JsonException("The request body is not a JSON object");
        }
        foreach (var (name, value) in request.Query)
        {
            if (!fields.ContainsKey(name))
                fields[name] = value.ToString();
        }
        return Parse(fields.ToJsonString(WriteOptions));
    }

    private void Record(RecordedRequest request)
    {
        if (request.StatusCode == 429)
            Interlocked.Increment(ref _tooManyRequests);
        lock (_gate)
            _requests.Add(request);
    }

    private string DescribeRecent()
    {
        lock (_gate)
        {
            if (_requests.Count == 0)
                return "(none)";
            return string.Join("; ", _requests.TakeLast(15).Select(r => $"{r.Method} → {r.StatusCode}"));
        }
    }

    private async Task<Reply> DispatchAsync(string method, JsonElement body, CancellationToken ct)
    {
        var key = method.ToLowerInvariant();
        if (!KnownMethods.Contains(key))
            return Error(404, "Not Found");

        TimeSpan delay;
        lock (_gate)
            delay = TakeDelayLocked(key);
        if (delay > TimeSpan.Zero)
            await Task.Delay(delay, ct).ConfigureAwait(false);

        lock (_gate)
        {
            if (TakeFaultLocked(key, body) is { } fault)
                return fault;
        }

        return key switch
        {
            "getme" => Ok(BotUserJson(full: true)),
            "getupdates" => await GetUpdatesAsync(body, ct).ConfigureAwait(false),
            "sendmessage" => SendMessage(body),
            "editmessagetext" => EditMessageText(body),
            "answercallbackquery" => AnswerCallbackQuery(body),
            "answerinlinequery" => AnswerInlineQuery(body),
            "setmycommands" => SetMyCommands(body),
            "getmycommands" => GetMyCommands(body),
            "deletemycommands" => DeleteMyCommands(body),
            "setwebhook" => await SetWebhookAsync(body).ConfigureAwait(false),
            "deletewebhook" => DeleteWebhook(body),
            "getwebhookinfo" => GetWebhookInfo(),
            "getchatmember" => GetChatMember(body),
            "getchatadministrators" => GetChatAdministrators(body),
            _ => SimpleChatMethod(key, body),
        };
    }

    private TimeSpan TakeDelayLocked(string key)
    {
        var rule = _delays.FirstOrDefault(d => d.Method == "*" || d.Method == key);
        if (rule is null)
            return TimeSpan.Zero;
        if (--rule.Remaining <= 0)
            _delays.Remove(rule);
        return rule.Delay;
    }

    private Reply? TakeFaultLocked(string key, JsonElement body)
    {
        var chatId = Long(body, "chat_id");
        var rule = _faults.FirstOrDefault(f => (f.Method == "*" || f.Method == key) && (f.ChatId is null || f.ChatId == chatId));
        if (rule is null)
            return null;
        if (rule.Remaining != int.MaxValue && --rule.Remaining <= 0)
            _faults.Remove(rule);
        return rule.Reply;
    }

    // ---------------------------------------------------------------- methods

    private async Task<Reply> GetUpdatesAsync(JsonElement body, CancellationToken ct)
    {
        var offset = Long(body, "offset");
        var limit = Math.Clamp(Int(body, "limit") ?? 100, 1, 100);
        var timeout = TimeSpan.FromSeconds(Math.Max(0, Int(body, "timeout") ?? 0));
        var wait = timeout < LongPollCap ? timeout : LongPollCap;
        var allowed = StrList(body, "allowed_updates");
        int generation;
        lock (_gate)
        {
            if (_webhookUrl.Length > 0)
                return Error(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
            if (allowed is not null)
                _allowedUpdates = allowed.Count == 0 ? null : [.. allowed];
            if (offset is > 0)
                _pending.RemoveAll(u => u.Id < offset.Value);
            else if (offset is < 0 && _pending.Count > -offset.Value)
                _pending.RemoveRange(0, _pending.Count - (int)Math.Min(-offset.Value, int.MaxValue));
            generation = ++_pollGeneration;
            PulseLocked(); // an older long poll wakes up and answers 409
        }

        var clock = Stopwatch.StartNew();
        Interlocked.Increment(ref _pollsInFlight);
        try
        {
            return await PollAsync(generation, limit, wait, clock, ct).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _pollsInFlight);
        }
    }

    private async Task<Reply> PollAsync(int generation, int limit, TimeSpan wait, Stopwatch clock, CancellationToken ct)
    {
        while (true)
        {
            Task signal;
            lock (_gate)
            {
                if (generation != _pollGeneration)
                    return Error(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running");
                _pending.RemoveAll(u => !IsAllowedLocked(u.Type));
                if (_pending.Count > 0)
                    return new Reply(200, "{\"ok\":true,\"result\":[" + string.Join(",", _pending.Take(limit).Select(u => u.Json)) + "]}");
                signal = _signal.Task;
            }
            var left = wait - clock.Elapsed;
            if (left <= TimeSpan.Zero)
                return Ok(new JsonArray());
            await Task.WhenAny(signal, Task.Delay(left, ct)).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
        }
    }

    private bool IsAllowedLocked(string type) =>
        type == UnknownUpdateType || (_allowedUpdates is null ? !ExcludedByDefault.Contains(type) : _allowedUpdates.Contains(type));

    private Reply SendMessage(JsonElement body)
    {
        if (!TryChatId(body, out var chatId, out var error))
            return error;
        var text = Str(body, "text") ?? "";
        var parseMode = Str(body, "parse_mode");
        if (!TryRender(text, parseMode, body, out var plain, out var entities, out error))
            return error;
        var markup = Json(body, "reply_markup");
        if (MarkupError(markup) is { } markupError)
            return Error(400, markupError);
        var threadId = Int(body, "message_thread_id");
        lock (_gate)
        {
            if (!TryConsumeRateLocked(chatId, out error))
                return error;
            var now = _time.GetUtcNow();
            var id = ++_lastMessageId;
            var chat = ChatLocked(chatId);
            _messages[(chatId, id)] = new KnownMessage(plain, entities, InlineMarkupOrNull(markup), now, FromBot: true);
            _sent.Add(new SentMessage(id, chatId, text, parseMode, plain, entities, markup, threadId,
                Json(body, "link_preview_options"), Json(body, "reply_parameters"), body, now));
            return Ok(MessageJson(id, chat, plain, entities, InlineMarkupOrNull(markup), threadId, now, editDate: null));
        }
    }

    private Reply EditMessageText(JsonElement body)
    {
        var inlineMessageId = Str(body, "inline_message_id");
        long? chatId = null;
        int? messageId = null;
        if (inlineMessageId is null)
        {
            if (!TryChatId(body, out var chat, out var chatError))
                return chatError;
            chatId = chat;
            messageId = Int(body, "message_id");
            if (messageId is null)
                return Error(400, "Bad Request: message identifier is not specified");
        }
        var text = Str(body, "text") ?? "";
        var parseMode = Str(body, "parse_mode");
        if (!TryRender(text, parseMode, body, out var plain, out var entities, out var error))
            return error;
        var markup = Json(body, "reply_markup");
        if (MarkupError(markup) is { } markupError)
            return Error(400, markupError);
        var inlineMarkup = InlineMarkupOrNull(markup);
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            KnownMessage? known = null;
            if (chatId is { } c && messageId is { } m && _messages.TryGetValue((c, m), out known)
                && known.Text == plain && known.Entities.SequenceEqual(entities) && MarkupKey(known.Markup) == MarkupKey(inlineMarkup))
                return Error(400, MessageNotModified);
            if (!TryConsumeRateLocked(chatId, out error))
                return error;
            _edited.Add(new EditedMessage(chatId, messageId, inlineMessageId, text, parseMode, plain, entities, markup, Json(body, "link_preview_options"), body, now));
            if (chatId is not { } chatValue || messageId is not { } messageValue)
                return OkTrue();
            var date = known?.Date ?? now;
            _messages[(chatValue, messageValue)] = new KnownMessage(plain, entities, inlineMarkup, date, known?.FromBot ?? true);
            return Ok(MessageJson(messageValue, ChatLocked(chatValue), plain, entities, inlineMarkup, threadId: null, date, editDate: now));
        }
    }

    private Reply AnswerCallbackQuery(JsonElement body)
    {
        var id = Str(body, "callback_query_id");
        var text = Str(body, "text");
        lock (_gate)
        {
            if (id is null || !_callbackIds.Contains(id))
                return Error(400, QueryTooOld);
            if (text is { Length: > 200 })
                return Error(400, "Bad Request: MESSAGE_TOO_LONG");
            _callbackAnswers.Add(new CallbackAnswer(id, text, Bool(body, "show_alert"), Str(body, "url"), Int(body, "cache_time"), _time.GetUtcNow()));
            return OkTrue();
        }
    }

    private Reply AnswerInlineQuery(JsonElement body)
    {
        var id = Str(body, "inline_query_id");
        lock (_gate)
        {
            if (id is null || !_inlineIds.Contains(id))
                return Error(400, QueryTooOld);
        }
        if (Json(body, "results") is not { ValueKind: JsonValueKind.Array } results)
            return Error(400, "Bad Request: can't parse inline query results JSON object");
        if (results.GetArrayLength() > 50)
            return Error(400, "Bad Request: RESULTS_TOO_MUCH");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var result in results.EnumerateArray())
        {
            if (result.ValueKind != JsonValueKind.Object || Str(result, "type") is null)
                return Error(400, "Bad Request: can't parse inline query result: Field \"type\" must be of type String");
            var resultId = Str(result, "id");
            if (resultId is null || Encoding.UTF8.GetByteCount(resultId) is < 1 or > 64)
                return Error(400, "Bad Request: RESULT_ID_INVALID");
            if (!seen.Add(resultId))
                return Error(400, "Bad Request: RESULT_ID_DUPLICATE");
            if (Json(result, "input_message_content") is { ValueKind: JsonValueKind.Object } content && Str(content, "message_text") is { } messageText
                && !TryRender(messageText, Str(content, "parse_mode"), content, out _, out _, out var error))
                return error;
            if (MarkupError(Json(result, "reply_markup")) is { } markupError)
                return Error(400, markupError);
        }
        var nextOffset = Str(body, "next_offset");
        if (nextOffset is not null && Encoding.UTF8.GetByteCount(nextOffset) > 64)
            return Error(400, "Bad Request: NEXT_OFFSET_INVALID");
        lock (_gate)
        {
            _inlineAnswers.Add(new InlineAnswer(id, results, nextOffset, Int(body, "cache_time"), Bool(body, "is_personal"),
                Json(body, "button"), body, _time.GetUtcNow()));
        }
        return OkTrue();
    }

    private Reply SetMyCommands(JsonElement body)
    {
        if (!TryScope(body, out var scopeKey, out var scopeType, out var scope, out var language, out var error))
            return error;
        if (Json(body, "commands") is not { ValueKind: JsonValueKind.Array } array)
            return Error(400, "Bad Request: can't parse commands JSON object");
        if (array.GetArrayLength() > 100)
            return Error(400, "Bad Request: too many commands specified");
        var commands = new List<RecordedCommand>();
        foreach (var item in array.EnumerateArray())
        {
            var command = item.ValueKind == JsonValueKind.Object ? Str(item, "command") : null;
            var description = item.ValueKind == JsonValueKind.Object ? Str(item, "description") : null;
            if (command is null || !CommandPattern().IsMatch(command))
                return Error(400, "Bad Request: BOT_COMMAND_INVALID");
            if (description is null || description.Trim().Length is < 1 or > 256)
                return Error(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID");
            commands.Add(new RecordedCommand(command, description));
        }
        lock (_gate)
        {
            _commandsByScope[scopeKey + "|" + language] = commands;
            _commandCalls.Add(new CommandsCall(commands, scopeType, scope, language, IsDelete: false, _time.GetUtcNow()));
        }
        return OkTrue();
    }

    private Reply GetMyCommands(JsonElement body)
    {
        if (!TryScope(body, out var scopeKey, out _, out _, out var language, out var error))
            return error;
        var array = new JsonArray();
        lock (_gate)
        {
            if (_commandsByScope.TryGetValue(scopeKey + "|" + language, out var commands))
            {
                foreach (var c in commands)
                    array.Add(new JsonObject { ["command"] = c.Command, ["description"] = c.Description });
            }
        }
        return Ok(array);
    }

    private Reply DeleteMyCommands(JsonElement body)
    {
        if (!TryScope(body, out var scopeKey, out var scopeType, out var scope, out var language, out var error))
            return error;
        lock (_gate)
        {
            _commandsByScope.Remove(scopeKey + "|" + language);
            _commandCalls.Add(new CommandsCall([], scopeType, scope, language, IsDelete: true, _time.GetUtcNow()));
        }
        return OkTrue();
    }

    private static bool TryScope(JsonElement body, out string key, out string type, out JsonElement? scope, out string? language, out Reply error)
    {
        error = null!;
        key = type = "default";
        language = Str(body, "language_code");
        scope = Json(body, "scope");
        if (language is { Length: > 0 } && !LanguagePattern().IsMatch(language))
        {
            error = Error(400, "Bad Request: invalid language code specified (a two-letter ISO 639-1 code such as \"zh\" is expected)");
            return false;
        }
        if (scope is not { } s)
            return true;
        type = s.ValueKind == JsonValueKind.Object ? Str(s, "type") ?? "" : "";
        if (!ScopeTypes.Contains(type))
        {
            error = Error(400, "Bad Request: unsupported bot command scope type");
            return false;
        }
        var chatId = Str(s, "chat_id");
        var userId = Str(s, "user_id");
        if (type is "chat" or "chat_administrators" or "chat_member" && chatId is null)
        {
            error = Error(400, "Bad Request: chat_id is empty");
            return false;
        }
        if (type == "chat_member" && userId is null)
        {
            error = Error(400, "Bad Request: user_id is empty");
            return false;
        }
        key = $"{type}:{chatId}:{userId}";
        return true;
    }

    /// <summary>
    /// Run when a webhook has been set, before setWebhook is answered: where Telegram would begin posting updates to
    /// it, a test can see whether the bot is listening yet.
    /// </summary>
    public Func<Task>? OnWebhookSet { get; set; }

    private async Task<Reply> SetWebhookAsync(JsonElement body)
    {
        var reply = SetWebhook(body);
        if (OnWebhookSet is { } hook && Str(body, "url") is { Length: > 0 } && reply.Status == 200)
            await hook().ConfigureAwait(false);
        return reply;
    }

    private Reply SetWebhook(JsonElement body)
    {
        var url = Str(body, "url") ?? "";
        if (url.Length > 0 && RequireHttpsWebhook)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
                return Error(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook");
            if (uri.Port is not (443 or 80 or 88 or 8443))
                return Error(400, "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443");
        }
        var secret = Str(body, "secret_token");
        if (secret is not null && !SecretPattern().IsMatch(secret))
            return Error(400, "Bad Request: secret token contains unallowed characters or has a wrong length (1-256 of A-Z a-z 0-9 _ -)");
        var allowed = StrList(body, "allowed_updates");
        var drop = Bool(body, "drop_pending_updates");
        var maxConnections = Int(body, "max_connections");
        var ip = Str(body, "ip_address");
        lock (_gate)
        {
            _webhookUrl = url;
            _webhookSecret = url.Length > 0 ? secret : null;
            _webhookMaxConnections = url.Length > 0 ? maxConnections : null;
            _webhookIp = url.Length > 0 ? ip : null;
            if (allowed is not null)
                _allowedUpdates = allowed.Count == 0 ? null : [.. allowed];
            if (drop)
                _pending.Clear();
            _webhookCalls.Add(new WebhookCall("setWebhook", url, secret, allowed, drop, maxConnections, ip, _time.GetUtcNow()));
            PulseLocked();
        }
        return OkTrue();
    }

    private Reply DeleteWebhook(JsonElement body)
    {
        var drop = Bool(body, "drop_pending_updates");
        lock (_gate)
        {
            _webhookUrl = "";
            _webhookSecret = null;
            _webhookMaxConnections = null;
            _webhookIp = null;
            if (drop)
                _pending.Clear();
            _webhookCalls.Add(new WebhookCall("deleteWebhook", null, null, null, drop, null, null, _time.GetUtcNow()));
        }
        return OkTrue();
    }

    private Reply GetWebhookInfo()
    {
        lock (_gate)
        {
            var info = new JsonObject
            {
                ["url"] = _webhookUrl,
                ["has_custom_certificate"] = false,
                ["pending_update_count"] = _pending.Count,
            };
            if (_webhookIp is not null)
                info["ip_address"] = _webhookIp;
            if (_webhookUrl.Length > 0)
                info["max_connections"] = _webhookMaxConnections ?? 40;
            if (_allowedUpdates is not null)
                info["allowed_updates"] = new JsonArray([.. _allowedUpdates.Order(StringComparer.Ordinal).Select(t => (JsonNode)t)]);
            return Ok(info);
        }
    }

    private Reply GetChatMember(JsonElement body)
    {
        if (!TryChatId(body, out var chatId, out var error))
            return error;
        if (Long(body, "user_id") is not { } userId)
            return Error(400, "Bad Request: invalid user_id specified");
        string status;
        lock (_gate)
            status = _members.GetValueOrDefault((chatId, userId), DefaultMemberStatus);
        return Ok(ChatMemberJson(status, userId, BotId, BotUserJson(false)));
    }

    private Reply GetChatAdministrators(JsonElement body)
    {
        if (!TryChatId(body, out var chatId, out var error))
            return error;
        var array = new JsonArray();
        lock (_gate)
        {
            foreach (var ((chat, user), status) in _members)
            {
                if (chat == chatId && status is "creator" or "administrator")
                    array.Add(ChatMemberJson(status, user, BotId, BotUserJson(false)));
            }
        }
        return Ok(array);
    }

    private Reply SimpleChatMethod(string key, JsonElement body)
    {
        if (!TryChatId(body, out var chatId, out var error))
            return error;
        if (key == "deletemessage" && Int(body, "message_id") is { } messageId)
        {
            lock (_gate)
                _messages.Remove((chatId, messageId));
        }
        return OkTrue();
    }

    // ---------------------------------------------------------------- validation helpers

    private bool TryChatId(JsonElement body, out long chatId, out Reply error)
    {
        error = null!;
        chatId = 0;
        if (!Has(body, "chat_id", out var value))
        {
            error = Error(400, "Bad Request: chat_id is empty");
            return false;
        }
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out chatId))
            return true;
        var text = value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : value.GetRawText();
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out chatId))
            return true;
        if (text.StartsWith('@'))
        {
            lock (_gate)
            {
                var chat = _chats.Values.FirstOrDefault(c => string.Equals("@" + c.Username, text, StringComparison.OrdinalIgnoreCase));
                if (chat is not null)
                {
                    chatId = chat.Id;
                    return true;
                }
            }
        }
        error = Error(400, "Bad Request: chat not found");
        return false;
    }

    /// <summary>Applies parse_mode: HTML is parsed (tags stripped, entities decoded, validated); then trims and checks 1..4096.</summary>
    private bool TryRender(string text, string? parseMode, JsonElement container, out string plain, out IReadOnlyList<FakeEntity> entities, out Reply error)
    {
        error = null!;
        if (string.IsNullOrEmpty(parseMode))
        {
            plain = text;
            entities = EntitiesParam(container);
        }
        else if (string.Equals(parseMode, "HTML", StringComparison.OrdinalIgnoreCase))
        {
            if (!TelegramHtml.TryParse(text, StrictHtmlEntities, out plain, out entities, out var parseError))
            {
                error = Error(400, "Bad Request: can't parse entities: " + parseError);
                return false;
            }
        }
        else if (string.Equals(parseMode, "MarkdownV2", StringComparison.OrdinalIgnoreCase) || string.Equals(parseMode, "Markdown", StringComparison.OrdinalIgnoreCase))
        {
            plain = text; // not parsed: the fake validates HTML only
            entities = [];
        }
        else
        {
            plain = "";
            entities = [];
            error = Error(400, "Bad Request: unsupported parse_mode");
            return false;
        }
        (plain, entities) = TelegramHtml.Trim(plain, entities);
        if (plain.Length == 0)
        {
            error = Error(400, "Bad Request: message text is empty");
            return false;
        }
        if (plain.Length > MaxTextLength)
        {
            error = Error(400, "Bad Request: message is too long");
            return false;
        }
        return true;
    }

    private static IReadOnlyList<FakeEntity> EntitiesParam(JsonElement container)
    {
        if (Json(container, "entities") is not { ValueKind: JsonValueKind.Array } array)
            return [];
        return [.. array.EnumerateArray()
            .Where(e => e.ValueKind == JsonValueKind.Object)
            .Select(e => new FakeEntity(Str(e, "type") ?? "", Int(e, "offset") ?? 0, Int(e, "length") ?? 0, Str(e, "url"), Str(e, "language"), Str(e, "custom_emoji_id")))];
    }

    /// <summary>Checks an inline keyboard: each button has text and an action; callback_data is 1–64 UTF-8 bytes.</summary>
    private static string? MarkupError(JsonElement? markup)
    {
        if (markup is not { ValueKind: JsonValueKind.Object } m || !m.TryGetProperty("inline_keyboard", out var rows))
            return null;
        if (rows.ValueKind != JsonValueKind.Array)
            return "Bad Request: can't parse inline keyboard: Field \"inline_keyboard\" must be an Array";
        foreach (var row in rows.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array)
                return "Bad Request: can't parse inline keyboard: Field \"inline_keyboard\" must be an Array of Arrays";
            foreach (var button in row.EnumerateArray())
            {
                if (button.ValueKind != JsonValueKind.Object || !button.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
                    return "Bad Request: can't parse inline keyboard button: Field \"text\" must be of type String";
                if (Str(button, "callback_data") is { } data)
                {
                    if (Encoding.UTF8.GetByteCount(data) is < 1 or > 64)
                        return "Bad Request: BUTTON_DATA_INVALID";
                }
                else if (Str(button, "url") is { } url)
                {
                    if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "tg"))
                        return "Bad Request: BUTTON_URL_INVALID";
                }
                else if (!ButtonActions.Any(a => Has(button, a, out _)))
                {
                    return "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard";
                }
            }
        }
        return null;
    }

    private bool TryConsumeRateLocked(long? chatId, out Reply error)
    {
        error = null!;
        if (_rate is not { } rate)
            return true;
        var now = _time.GetUtcNow();
        var second = TimeSpan.FromSeconds(1);
        var minute = TimeSpan.FromMinutes(1);
        var retryAfter = 0;
        retryAfter = Math.Max(retryAfter, Check(rate.Global, rate.PerSecondGlobal, second));
        Queue<DateTimeOffset>? perChat = null;
        Queue<DateTimeOffset>? perGroup = null;
        if (chatId is { } id)
        {
            perChat = GetOrAdd(rate.PerChat, id);
            retryAfter = Math.Max(retryAfter, Check(perChat, rate.PerSecondPerChat, second));
            if (id < 0)
            {
                perGroup = GetOrAdd(rate.PerGroup, id);
                retryAfter = Math.Max(retryAfter, Check(perGroup, rate.PerMinutePerGroup, minute));
            }
        }
        if (retryAfter > 0)
        {
            error = Error(429, $"Too Many Requests: retry after {retryAfter}", retryAfter: retryAfter);
            return false;
        }
        rate.Global.Enqueue(now);
        perChat?.Enqueue(now);
        perGroup?.Enqueue(now);
        return true;

        // Seconds until a slot frees up in the window, or 0 when there is room.
        int Check(Queue<DateTimeOffset> window, int limit, TimeSpan length)
        {
            while (window.Count > 0 && window.Peek() <= now - length)
                window.Dequeue();
            if (window.Count < limit)
                return 0;
            return Math.Max(1, (int)Math.Ceiling((window.Peek() + length - now).TotalSeconds));
        }

        static Queue<DateTimeOffset> GetOrAdd(Dictionary<long, Queue<DateTimeOffset>> map, long key)
        {
            if (!map.TryGetValue(key, out var queue))
                map[key] = queue = new Queue<DateTimeOffset>();
            return queue;
        }
    }

    [GeneratedRegex("^[a-z0-9_]{1,32}$")]
    private static partial Regex CommandPattern();

    [GeneratedRegex("^[a-z]{2}$")]
    private static partial Regex LanguagePattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,256}$")]
    private static partial Regex SecretPattern();

    // ---------------------------------------------------------------- JSON helpers

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static bool Has(JsonElement body, string name, out JsonElement value) =>
        body.TryGetProperty(name, out value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);

    private static string? Str(JsonElement body, string name) =>
        Has(body, name, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText() : null;

    private static long? Long(JsonElement body, string name)
    {
        if (!Has(body, name, out var v))
            return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n))
            return n;
        return v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out n) ? n : null;
    }

    private static int? Int(JsonElement body, string name) => Long(body, name) is { } n && n is >= int.MinValue and <= int.MaxValue ? (int)n : null;

    private static bool Bool(JsonElement body, string name) =>
        Has(body, name, out var v) && (v.ValueKind == JsonValueKind.True || (v.ValueKind == JsonValueKind.String && string.Equals(v.GetString(), "true", StringComparison.OrdinalIgnoreCase)));

    /// <summary>An object/array parameter; form-encoded requests carry it as a JSON string.</summary>
    private static JsonElement? Json(JsonElement body, string name)
    {
        if (!Has(body, name, out var v))
            return null;
        if (v.ValueKind != JsonValueKind.String)
            return v;
        try
        {
            return Parse(v.GetString() ?? "");
        }
        catch (JsonException)
        {
            return v;
        }
    }

    private static List<string>? StrList(JsonElement body, string name) =>
        Json(body, name) is { ValueKind: JsonValueKind.Array } array
            ? [.. array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() ?? "" : e.GetRawText())]
            : null;

    private static JsonElement? InlineMarkupOrNull(JsonElement? markup) =>
        markup is { ValueKind: JsonValueKind.Object } m && m.TryGetProperty("inline_keyboard", out _) ? m : null;

    private static string MarkupKey(JsonElement? markup) => markup?.GetRawText() ?? "";

    internal static IReadOnlyList<InlineButton> ButtonsOf(JsonElement? markup)
    {
        var buttons = new List<InlineButton>();
        if (markup is not { ValueKind: JsonValueKind.Object } m || !m.TryGetProperty("inline_keyboard", out var rows) || rows.ValueKind != JsonValueKind.Array)
            return buttons;
        var r = 0;
        foreach (var row in rows.EnumerateArray())
        {
            var c = 0;
            if (row.ValueKind == JsonValueKind.Array)
            {
                foreach (var button in row.EnumerateArray())
                {
                    if (button.ValueKind == JsonValueKind.Object)
                        buttons.Add(new InlineButton(r, c, Str(button, "text") ?? "", Str(button, "callback_data"), Str(button, "url")));
                    c++;
                }
            }
            r++;
        }
        return buttons;
    }

    private static Reply Ok(JsonNode result) =>
        new(200, new JsonObject { ["ok"] = true, ["result"] = result }.ToJsonString(WriteOptions));

    private static Reply OkTrue() => new(200, "{\"ok\":true,\"result\":true}");

    private static Reply Error(int code, string description, int? retryAfter = null, long? migrateToChatId = null)
    {
        var error = new JsonObject { ["ok"] = false, ["error_code"] = code, ["description"] = description };
        if (retryAfter is not null || migrateToChatId is not null)
        {
            var parameters = new JsonObject();
            if (retryAfter is { } r)
                parameters["retry_after"] = r;
            if (migrateToChatId is { } m)
                parameters["migrate_to_chat_id"] = m;
            error["parameters"] = parameters;
        }
        return new Reply(code, error.ToJsonString(WriteOptions));
    }

    private void PulseLocked()
    {
        var old = _signal;
        _signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        old.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        await _shutdown.CancelAsync().ConfigureAwait(false);
        lock (_gate)
            PulseLocked();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _webhookClient.Dispose();
        _shutdown.Dispose();
    }

    // ---------------------------------------------------------------- private types

    private sealed record Reply(int Status, string Body, string ContentType = "application/json");

    private sealed record PendingUpdate(long Id, string Type, string Json);

    private sealed record ChatInfo(long Id, string Type, string? Title, string? Username, bool IsForum);

    private sealed record KnownMessage(string Text, IReadOnlyList<FakeEntity> Entities, JsonElement? Markup, DateTimeOffset Date, bool FromBot);

    private sealed class FaultRule(string method, long? chatId, Reply reply)
    {
        public string Method { get; } = method;
        public long? ChatId { get; } = chatId;
        public Reply Reply { get; } = reply;
        public int Remaining { get; set; }
    }

    private sealed class DelayRule(string method, TimeSpan delay)
    {
        public string Method { get; } = method;
        public TimeSpan Delay { get; } = delay;
        public int Remaining { get; set; }
    }

    private sealed class RateLimiter(int perSecondGlobal, int perMinutePerGroup, int perSecondPerChat)
    {
        public int PerSecondGlobal { get; } = perSecondGlobal;
        public int PerMinutePerGroup { get; } = perMinutePerGroup;
        public int PerSecondPerChat { get; } = perSecondPerChat;
        public Queue<DateTimeOffset> Global { get; } = new();
        public Dictionary<long, Queue<DateTimeOffset>> PerChat { get; } = [];
        public Dictionary<long, Queue<DateTimeOffset>> PerGroup { get; } = [];
    }
}
