using System.Text.Json;
using KernelDigest.Bot.Conversation;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace KernelDigest.Bot.DiscordChat;

/// <summary>
/// The interactions endpoint Discord POSTs to. Every request is verified (Ed25519 over timestamp + raw body) before
/// anything else is read; Discord probes with forged signatures and drops endpoints that accept one. Commands are
/// answered in the HTTP response (type 4, or type 7 for a page button) when they finish within
/// <see cref="DiscordOptions.DeferAfterMilliseconds"/>; otherwise the response defers (type 5 / 6) and the answer
/// follows through the interaction webhook. Messages beyond the first are sent as follow-ups.
/// </summary>
internal static partial class DiscordInteractionEndpoint
{
    public const string Path = "/discord/interactions";

    /// <summary>Interactions are a few KiB; anything bigger is not from Discord.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    public static async Task<IResult> HandleAsync(
        HttpContext context,
        DiscordSignature signature,
        ConversationTurns turns,
        DiscordAutocomplete autocomplete,
        DiscordFollowups followups,
        IHostApplicationLifetime lifetime,
        IOptions<DiscordOptions> options,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("KernelDigest.Bot.DiscordChat.Interactions");
        var request = context.Request;
        var signatureHex = request.Headers[DiscordSignature.SignatureHeader].ToString();
        var timestamp = request.Headers[DiscordSignature.TimestampHeader].ToString();
        if (signatureHex.Length == 0 || timestamp.Length == 0)
        {
            LogRejected(logger, "missing signature headers");
            return Unauthorized();
        }
        if (request.ContentLength > MaxBodyBytes)
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = MaxBodyBytes;

        byte[]? body;
        try
        {
            body = await ReadBodyAsync(request.Body, context.RequestAborted);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            body = null;
        }
        if (body is null)
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        if (!signature.Verify(signatureHex, timestamp, body))
        {
            LogRejected(logger, "invalid signature");
            return Unauthorized();
        }

        DiscordInteraction? interaction;
        try
        {
            using var document = JsonDocument.Parse(body);
            interaction = DiscordInteraction.Parse(document.RootElement);
        }
        catch (JsonException)
        {
            interaction = null;
        }
        if (interaction is null)
            return Results.BadRequest("malformed interaction");

        switch (interaction.Type)
        {
            case InteractionType.Ping:
                return Respond(new InteractionResponse(InteractionCallback.Pong));
            case InteractionType.Autocomplete:
                return Respond(new InteractionResponse(InteractionCallback.AutocompleteResult, autocomplete.For(interaction)));
            case InteractionType.ApplicationCommand or InteractionType.MessageComponent:
                break;
            default:
                return Results.BadRequest("unsupported interaction type");
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var isComponent = interaction.Type == InteractionType.MessageComponent;
        // The work runs apart from the request: if it outlasts the deadline, it still completes the deferred answer.
        var stopping = lifetime.ApplicationStopping;
        var input = DiscordInbound.From(interaction);
        var work = Task.Run<IReadOnlyList<DiscordMessage>?>(async () => Messages(await turns.AnswerAsync(input, stopping), isComponent, turns.Dispatcher.Pages), stopping);
        var deferAfter = TimeSpan.FromMilliseconds(options.Value.DeferAfterMilliseconds);
        if (deferAfter > TimeSpan.Zero)
        {
            using var timeout = new CancellationTokenSource();
            var finished = await Task.WhenAny(work, Task.Delay(deferAfter, time, timeout.Token));
            await timeout.CancelAsync();
            if (finished == work)
            {
                IReadOnlyList<DiscordMessage>? messages;
                try
                {
                    messages = await work;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(logger, interaction.ToString(), ex);
                    messages = [ErrorMessage(interaction.Lang)];
                }
                Record(turns, interaction, input, "in-response", started);
                if (messages is not { Count: > 0 })
                    return Respond(new InteractionResponse(InteractionCallback.DeferredUpdateMessage));
                if (messages[0].Flags == Ephemeral)
                    return Respond(new InteractionResponse(InteractionCallback.ChannelMessage, messages[0])); // a notice beside the page, not over it
                if (messages.Count > 1)
                {
                    var rest = messages.Skip(1).ToList();
                    context.Response.OnCompleted(() =>
                    {
                        followups.Enqueue(new DiscordFollowup(interaction.Token, Task.FromResult<IReadOnlyList<DiscordMessage>?>(rest), EditOriginal: false, interaction.Lang));
                        return Task.CompletedTask;
                    });
                }
                return Respond(new InteractionResponse(isComponent ? InteractionCallback.UpdateMessage : InteractionCallback.ChannelMessage, messages[0]));
            }
        }

        // Too slow for the 3-second deadline: acknowledge now ("thinking…"), edit the answer in when it is ready.
        LogDeferred(logger, interaction.ToString());
        Record(turns, interaction, input, "deferred", started);
        context.Response.OnCompleted(() =>
        {
            followups.Enqueue(new DiscordFollowup(interaction.Token, work, EditOriginal: true, interaction.Lang));
            return Task.CompletedTask;
        });
        return Respond(new InteractionResponse(isComponent ? InteractionCallback.DeferredUpdateMessage : InteractionCallback.DeferredChannelMessage));
    }

    /// <summary>Discord's flag for a message only the user who pressed sees.</summary>
    internal const int Ephemeral = 64;

    /// <summary>
    /// The messages that answer: for a command, the whole reply (the first is the response, the rest follow-ups); for
    /// a page button, the page that replaces the message, or a notice only the presser sees when the search expired.
    /// </summary>
    private static IReadOnlyList<DiscordMessage> Messages(Reply reply, bool isComponent, PageCodec pages)
    {
        if (reply.Command == Dispatcher.PageInvalid)
            return []; // not our button: the message stays as it is
        var messages = DiscordRenderer.Render(reply, pages);
        if (!isComponent)
            return messages;
        return reply.IsError ? [messages[0] with { Flags = Ephemeral, Components = [] }] : [messages[0]];
    }

    // One line and one count per handled interaction: command and channel, never the token or the user's text.
    private static void Record(ConversationTurns turns, DiscordInteraction interaction, Inbound input, string outcome, long started) =>
        turns.Record(Platform.Discord, "interaction", interaction.Id, interaction.ChannelId ?? "-", ConversationTurns.CommandName(input), outcome, started);

    internal static DiscordMessage ErrorMessage(Lang lang) => DiscordRenderer.Render(ConversationTurns.Apology(lang))[0];

    private static IResult Respond(InteractionResponse response) =>
        Results.Json(response, DiscordJson.Options, "application/json");

    private static IResult Unauthorized() => Results.Text("invalid request signature", "text/plain", statusCode: StatusCodes.Status401Unauthorized);

    /// <summary>Reads the raw body (the signature covers its exact bytes); null when it passes the cap.</summary>
    private static async Task<byte[]?> ReadBodyAsync(Stream body, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
                return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected a Discord interaction request: {Reason}")]
    private static partial void LogRejected(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deferred {Interaction}: it did not finish before the deadline")]
    private static partial void LogDeferred(ILogger logger, string interaction);

    [LoggerMessage(Level = LogLevel.Error, Message = "Answering {Interaction} failed")]
    private static partial void LogFailed(ILogger logger, string interaction, Exception ex);
}
