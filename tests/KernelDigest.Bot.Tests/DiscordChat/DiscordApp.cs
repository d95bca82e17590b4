using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KernelDigest.Bot.Tests.DiscordDouble;
using NSec.Cryptography;

namespace KernelDigest.Bot.Tests.DiscordChat;

/// <summary>An Ed25519 key pair that signs interactions the way Discord does: hex signature over timestamp + raw body.</summary>
public sealed class InteractionSigner : IDisposable
{
    private readonly Key _key = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });

    public string PublicKeyHex => Convert.ToHexStringLower(_key.PublicKey.Export(KeyBlobFormat.RawPublicKey));

    public string Sign(string timestamp, byte[] body) =>
        Convert.ToHexStringLower(SignatureAlgorithm.Ed25519.Sign(_key, [.. Encoding.UTF8.GetBytes(timestamp), .. body]));

    public void Dispose() => _key.Dispose();
}

/// <summary>Builds interaction payloads like the ones Discord POSTs (platforms.md §1.3).</summary>
public static class Interactions
{
    private static int _counter;

    public static string NewToken() => "aW50ZXJhY3Rpb24" + Interlocked.Increment(ref _counter).ToString(CultureInfo.InvariantCulture) + "_" + Guid.NewGuid().ToString("N");

    public static JsonObject Ping() => Base(1, null, null);

    public static JsonObject Command(string name, string locale, params (string Name, string Value)[] options) =>
        Base(2, locale, new JsonObject
        {
            ["id"] = "444444444444444444",
            ["name"] = name,
            ["type"] = 1,
            ["options"] = Options(options, focused: null),
        });

    public static JsonObject Autocomplete(string name, string locale, string focused, params (string Name, string Value)[] options) =>
        Base(4, locale, new JsonObject
        {
            ["id"] = "444444444444444444",
            ["name"] = name,
            ["type"] = 1,
            ["options"] = Options(options, focused),
        });

    /// <summary>A button click on a message the bot sent (the message as Discord sends it back, with its embeds).</summary>
    public static JsonObject Button(string customId, string locale, JsonNode? message) =>
        Base(3, locale, new JsonObject { ["custom_id"] = customId, ["component_type"] = 2 }, message);

    private static JsonArray Options((string Name, string Value)[] options, string? focused) =>
        [.. options.Select(o => (JsonNode)new JsonObject { ["type"] = 3, ["name"] = o.Name, ["value"] = o.Value, ["focused"] = o.Name == focused ? true : null })];

    private static JsonObject Base(int type, string? locale, JsonObject? data, JsonNode? message = null)
    {
        var payload = new JsonObject
        {
            ["type"] = type,
            ["id"] = "7870530804786" + Interlocked.Increment(ref _counter).ToString("D5", CultureInfo.InvariantCulture),
            ["application_id"] = FakeDiscordApi.DefaultApplicationId,
            ["token"] = NewToken(),
            ["version"] = 1,
        };
        if (type != 1)
        {
            payload["guild_id"] = "111111111111111111";
            payload["channel_id"] = "222222222222222222";
            payload["locale"] = locale;
            payload["guild_locale"] = "en-US";
            payload["member"] = new JsonObject { ["permissions"] = "2147483648", ["user"] = new JsonObject { ["id"] = "333333333333333333", ["username"] = "tester" } };
            payload["data"] = data;
        }
        if (message is not null)
            payload["message"] = message.DeepClone();
        return payload;
    }
}

/// <summary>
/// The bot serving Discord on a loopback port, in this process (<see cref="InProcessBot"/>), against a
/// <see cref="FakeDiscordApi"/>, with its reports in a scratch folder.
/// </summary>
public sealed class DiscordApp : IAsyncDisposable
{
    private readonly InProcessBot _bot;

    private DiscordApp(InProcessBot bot) => _bot = bot;

    public Uri BaseUrl => _bot.BaseUrl;

    public IServiceProvider Services => _bot.Services;

    public string Logs => _bot.Logs;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>The bot's settings for this double and key; <paramref name="extra"/> adds or overrides.</summary>
    public static Dictionary<string, string> Settings(FakeDiscordApi discord, string publicKeyHex, string reportsDirectory, IReadOnlyDictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Discord:ApplicationId"] = discord.ApplicationId,
            ["Discord:PublicKey"] = publicKeyHex,
            ["Discord:BotToken"] = discord.Token,
            ["Discord:ApiBaseUrl"] = discord.BaseUrl.ToString(),
            ["Reports:Directory"] = reportsDirectory,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
            settings[key] = value;
        return settings;
    }

    /// <summary>Starts the bot, keeping its database and index in <paramref name="workDirectory"/>; start-up registration has run when this returns.</summary>
    public static async Task<DiscordApp> StartAsync(IReadOnlyDictionary<string, string> settings, string workDirectory) =>
        new(await InProcessBot.StartAsync(settings, workDirectory));

    /// <summary>POSTs a payload signed with <paramref name="signer"/>; <paramref name="mutate"/> may tamper with the request.</summary>
    public async Task<HttpResponseMessage> PostAsync(JsonObject payload, InteractionSigner signer, Action<HttpRequestMessage, byte[]>? mutate = null) =>
        await PostRawAsync(Encoding.UTF8.GetBytes(payload.ToJsonString()), signer, mutate);

    public async Task<HttpResponseMessage> PostRawAsync(byte[] body, InteractionSigner? signer, Action<HttpRequestMessage, byte[]>? mutate = null)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(BaseUrl, "/discord/interactions"));
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (signer is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Signature-Ed25519", signer.Sign(timestamp, body));
            request.Headers.TryAddWithoutValidation("X-Signature-Timestamp", timestamp);
        }
        mutate?.Invoke(request, body);
        return await Http.SendAsync(request);
    }

    /// <summary>POSTs a signed payload and returns the interaction response, asserting 200 and a JSON content type.</summary>
    public async Task<JsonElement> InteractAsync(JsonObject payload, InteractionSigner signer)
    {
        using var response = await PostAsync(payload, signer);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}\n{Logs}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _bot.DisposeAsync();
    }
}
