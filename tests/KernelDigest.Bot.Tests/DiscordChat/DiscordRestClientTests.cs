using System.Text.Json;
using KernelDigest.Bot.Chats;
using KernelDigest.Bot.DiscordChat;
using KernelDigest.Bot.Tests.DiscordDouble;
using KernelDigest.Core.Commands;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KernelDigest.Bot.Tests.DiscordChat;

/// <summary>The REST client against the Discord double over HTTP: headers, rate limits, 429s, 401 and channel errors.</summary>
public sealed class DiscordRestClientTests : IAsyncLifetime
{
    private const string Channel = "222222222222222222";
    private const string MessagesRoute = "POST /channels/{channel}/messages";

    private static readonly HttpClient Http = new();
    private FakeDiscordApi _discord = null!;

    public async Task InitializeAsync()
    {
        _discord = await FakeDiscordApi.StartAsync();
        _discord.AddChannel(Channel);
    }

    [Fact]
    public async Task Every_call_carries_the_bot_token_user_agent_and_json_and_every_message_mentions_no_one()
    {
        var client = Client();
        var token = Interactions.NewToken();
        _discord.OpenInteraction(token);

        await client.GetCommandsAsync(null, default);
        await client.BulkOverwriteCommandsAsync("111111111111111111", DiscordCommands.Definitions, default);
        var id = await client.CreateMessageAsync(Channel, Message("hello @everyone"), default);
        await client.EditOriginalAsync(token, Message("edited"), default);
        await client.CreateFollowupAsync(token, Message("more"), default);

        Assert.NotNull(id);
        var requests = _discord.Requests;
        Assert.Equal(5, requests.Count);
        Assert.All(requests, r =>
        {
            Assert.Equal("Bot " + FakeDiscordApi.DefaultToken, r.Authorization);
            Assert.Equal(DiscordRestClient.UserAgent, r.UserAgent);
            Assert.InRange(r.Status, 200, 299);
        });
        Assert.All(requests.Where(r => r.Body.Length > 0), r => Assert.StartsWith("application/json", r.ContentType, StringComparison.Ordinal));
        var posted = Assert.Single(_discord.ChannelMessages).Body;
        Assert.Empty(posted["allowed_mentions"]!["parse"]!.AsArray());
        Assert.False(string.IsNullOrEmpty((string?)posted["nonce"]));
        Assert.Equal(2, _discord.WebhookMessages.Count);
        Assert.All(_discord.WebhookMessages, m => Assert.Empty(m.Body["allowed_mentions"]!["parse"]!.AsArray()));
        Assert.Equal(DiscordCommands.Definitions.Count, _discord.Commands("111111111111111111").Count);
    }

    [Fact]
    public async Task An_exhausted_bucket_holds_requests_until_it_resets()
    {
        _discord.SetBucket(MessagesRoute, limit: 2, resetAfter: TimeSpan.FromMilliseconds(600));
        var client = Client();

        for (var i = 0; i < 5; i++)
            await client.CreateMessageAsync(Channel, Message($"message {i}"), default);

        Assert.Equal(5, _discord.ChannelMessages.Count);
        Assert.Equal(0, _discord.EarlyRequests);
        Assert.Equal(0, _discord.TooManyRequestsSent);
        var times = _discord.Requests.Select(r => r.At).ToList();
        Assert.True(times[4] - times[0] >= TimeSpan.FromMilliseconds(1000), "two resets were waited for");
    }

    [Fact]
    public async Task A_429_is_waited_out_for_retry_after_and_the_request_retried_once()
    {
        _discord.RateLimitNext(TimeSpan.FromMilliseconds(700), route: MessagesRoute);
        var client = Client();

        await client.CreateMessageAsync(Channel, Message("after the wait"), default);
        await client.CreateMessageAsync(Channel, Message("and the next"), default);

        Assert.Equal(1, client.TooManyRequests);
        Assert.Equal(0, _discord.EarlyRequests);
        Assert.Equal(2, _discord.ChannelMessages.Count);
        var requests = _discord.Requests;
        Assert.Equal([429, 200, 200], requests.Select(r => r.Status));
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromMilliseconds(690));
    }

    [Fact]
    public async Task A_global_429_holds_back_every_route_not_just_the_one_that_got_it()
    {
        _discord.RateLimitNext(TimeSpan.FromMilliseconds(800), global: true, route: MessagesRoute);
        var log = new LogCapture();
        var client = Client(log: log);

        var message = client.CreateMessageAsync(Channel, Message("first"), default);
        // The client logs a 429 once it has closed the global gate: only then is the second route's wait its doing.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!log.Text.Contains("Discord rate limit on", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            await Task.Delay(10);
        Assert.Contains("(global: True)", log.Text, StringComparison.Ordinal);
        var commands = client.GetCommandsAsync(null, default);
        await Task.WhenAll(message, commands);

        Assert.Equal(1, client.TooManyRequests);
        Assert.Equal(0, _discord.EarlyRequests);
        var requests = _discord.Requests;
        Assert.Equal(429, requests[0].Status);
        Assert.All(requests.Skip(1), r => Assert.True(r.At - requests[0].At >= TimeSpan.FromMilliseconds(790), $"{r.Method} {r.Path} came early"));
    }

    [Fact]
    public async Task A_401_stops_the_client_for_good()
    {
        var client = Client(token: "wrong-token");

        await Assert.ThrowsAsync<DiscordUnauthorizedException>(() => client.GetCommandsAsync(null, default));
        await Assert.ThrowsAsync<DiscordUnauthorizedException>(() => client.CreateMessageAsync(Channel, Message("x"), default));

        var request = Assert.Single(_discord.Requests);
        Assert.Equal(401, request.Status);
    }

    [Theory]
    [InlineData(10003, GoneReason.UnknownChat)]
    [InlineData(50001, GoneReason.Kicked)]
    [InlineData(50013, GoneReason.MissingPermissions)]
    public async Task A_channel_that_cannot_be_written_to_throws_its_code_and_its_digest_comes_back_gone(int code, GoneReason reason)
    {
        const string channel = "999999999999999999";
        _discord.SetChannelError(channel, code);
        var client = Client();

        var error = await Assert.ThrowsAsync<DiscordApiException>(() => client.CreateMessageAsync(channel, Message("x"), default));
        Assert.Equal(code, error.Code);
        Assert.Single(_discord.Requests); // not retried

        using var sender = new DiscordDigestSender(client, TimeProvider.System, NullLogger<DiscordDigestSender>.Instance);
        var digest = new Reply { Command = "digest", Query = "", Title = "2020-09", Items = [new ReplyItem { Title = "x" }] };
        var sent = await sender.SendDigestAsync(new ChatAddress(Platform.Discord, channel), digest, 0, _ => Task.CompletedTask, default);

        var gone = Assert.IsType<SendResult.Gone>(sent.Result);
        Assert.Equal(reason, gone.Reason);
        Assert.Equal(DiscordApiException.ChannelProblem(code), gone.Description);
        Assert.Equal(0, sent.PartsSent);
    }

    [Fact]
    public async Task Server_errors_are_retried_with_back_off()
    {
        _discord.FailNext(502);
        _discord.FailNext(500);
        var client = Client();

        await client.CreateMessageAsync(Channel, Message("eventually"), default);

        Assert.Equal([502, 500, 200], _discord.Requests.Select(r => r.Status));
        Assert.Single(_discord.ChannelMessages);
    }

    [Fact]
    public async Task A_webhook_for_an_unknown_interaction_is_an_error_not_a_retry()
    {
        var client = Client();

        var error = await Assert.ThrowsAsync<DiscordApiException>(() => client.EditOriginalAsync(Interactions.NewToken(), Message("x"), default));

        Assert.Equal(DiscordApiException.UnknownWebhook, error.Code);
        Assert.Single(_discord.Requests);
    }

    private DiscordRestClient Client(string token = FakeDiscordApi.DefaultToken, LogCapture? log = null)
    {
        var options = Options.Create(new DiscordOptions
        {
            ApplicationId = FakeDiscordApi.DefaultApplicationId,
            BotToken = token,
            PublicKey = new string('0', 64),
            ApiBaseUrl = _discord.BaseUrl.ToString(),
        });
        var logger = log is null ? NullLogger<DiscordRestClient>.Instance : LoggerFactory.Create(b => b.AddProvider(log)).CreateLogger<DiscordRestClient>();
        return new DiscordRestClient(Http, options, TimeProvider.System, logger);
    }

    private static DiscordMessage Message(string text) => new()
    {
        Embeds = [new DiscordEmbed { Title = "t", Description = DiscordMarkdown.Escape(text) }],
    };

    public async Task DisposeAsync()
    {
        await _discord.DisposeAsync();
    }
}
