using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KernelDigest.Load;

/// <summary>
/// The smallest Bot API that lets the bot start and send: getMe, setMyCommands, setWebhook, deleteWebhook, getUpdates
/// (what <see cref="Deliver"/> queued, else nothing after half a second), sendMessage. sendMessage enforces a limit of <c>perSecond</c> accepted calls in any sliding second and
/// answers 429 with retry_after beyond it, as Telegram does.
/// </summary>
internal sealed class BotApiStub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Queue<long> _accepted = new();
    private readonly ConcurrentQueue<JsonObject> _updates = new();
    private readonly object _gate = new();
    private long _messages;
    private long _tooMany;
    private long _polls;
    private int _nextId;

    public BotApiStub(int perSecond)
    {
        PerSecond = perSecond;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/bot{token}/{method}", HandleAsync);
    }

    public int PerSecond { get; }
    public long Messages => Interlocked.Read(ref _messages);
    public long TooManyRequests => Interlocked.Read(ref _tooMany);
    public long Polls => Interlocked.Read(ref _polls);
    public ConcurrentDictionary<long, int> PerChat { get; } = new();
    public string BaseUrl => _app.Urls.First();

    public Task StartAsync() => _app.StartAsync();

    /// <summary>Queues a text message from a user in a private chat, for the bot's next getUpdates.</summary>
    public void Deliver(long chatId, string text)
    {
        var id = Interlocked.Increment(ref _nextId);
        var user = new JsonObject { ["id"] = chatId, ["is_bot"] = false, ["first_name"] = "Load" };
        var message = new JsonObject
        {
            ["message_id"] = id,
            ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["chat"] = new JsonObject { ["id"] = chatId, ["type"] = "private", ["first_name"] = "Load" },
            ["from"] = user,
            ["text"] = text,
        };
        if (text.StartsWith('/'))
        {
            var command = text.Split(' ')[0];
            message["entities"] = new JsonArray(new JsonObject { ["type"] = "bot_command", ["offset"] = 0, ["length"] = command.Length });
        }
        _updates.Enqueue(new JsonObject { ["update_id"] = id, ["message"] = message });
    }

    private async Task<IResult> HandleAsync(string token, string method, HttpRequest request)
    {
        using var body = request.ContentLength is > 0 || request.Headers.ContentType.Count > 0
            ? await JsonDocument.ParseAsync(request.Body)
            : null;
        switch (method.ToLowerInvariant())
        {
            case "getme":
                return Ok(new JsonObject { ["id"] = 123, ["is_bot"] = true, ["first_name"] = "Load", ["username"] = "load_bot" });
            case "getupdates":
                Interlocked.Increment(ref _polls);
                var updates = new JsonArray();
                while (_updates.TryDequeue(out var update))
                    updates.Add(update);
                if (updates.Count == 0)
                    await Task.Delay(500);
                return Ok(updates);
            case "sendmessage":
                var now = Environment.TickCount64;
                lock (_gate)
                {
                    while (_accepted.Count > 0 && now - _accepted.Peek() >= 1000)
                        _accepted.Dequeue();
                    if (_accepted.Count >= PerSecond)
                    {
                        Interlocked.Increment(ref _tooMany);
                        return Results.Json(new { ok = false, error_code = 429, description = "Too Many Requests: retry after 1", parameters = new { retry_after = 1 } }, statusCode: 429);
                    }
                    _accepted.Enqueue(now);
                }
                Interlocked.Increment(ref _messages);
                var chat = body is not null && body.RootElement.TryGetProperty("chat_id", out var id) ? id.GetInt64() : 0;
                PerChat.AddOrUpdate(chat, 1, (_, n) => n + 1);
                return Ok(new JsonObject
                {
                    ["message_id"] = Interlocked.Increment(ref _nextId),
                    ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                    ["chat"] = new JsonObject { ["id"] = chat, ["type"] = chat < 0 ? "supergroup" : "private" },
                    ["text"] = "ok",
                });
            default:
                return Ok(JsonValue.Create(true));
        }
    }

    private static IResult Ok(JsonNode result) =>
        Results.Text(new JsonObject { ["ok"] = true, ["result"] = result }.ToJsonString(), "application/json");

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
