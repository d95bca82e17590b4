using System.Text.Json;
using KernelDigest.Bot.Conversation;
using Microsoft.AspNetCore.Http.Features;

namespace KernelDigest.Bot.DiscordChat;

/// <summary>
/// The interactions endpoint Discord POSTs to. Every request is verified (Ed25519 over timestamp + raw body) before
/// anything else is read; Discord probes with forged signatures and drops endpoints that accept one. What answers an
/// interaction is <see cref="DiscordInteractionHandler"/>'s, the same for the gateway: here the response goes back in
/// the HTTP response, and any follow-up after it.
/// </summary>
internal static partial class DiscordInteractionEndpoint
{
    public const string Path = "/discord/interactions";

    /// <summary>Interactions are a few KiB; anything bigger is not from Discord.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    public static async Task<IResult> HandleAsync(
        HttpContext context,
        DiscordSignature signature,
        DiscordInteractionHandler handler,
        DiscordFollowups followups,
        SeenIds seen,
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

        if (interaction.Type != InteractionType.Ping && !seen.FirstTime(Core.Commands.Platform.Discord, interaction.Id))
        {
            // Discord sends an interaction once; a second copy is a replay, and must not act twice.
            LogRejected(logger, "an interaction already answered, replayed");
            return Results.Conflict("interaction already answered");
        }
        if (await handler.AnswerAsync(interaction) is not { } answer)
            return Results.BadRequest("unsupported interaction type");
        // Follow-ups may only be sent once Discord has the response: after it has gone out.
        if (answer.Followup is not null || answer.AfterSent is not null)
            context.Response.OnCompleted(() =>
            {
                if (answer.Followup is { } followup)
                    followups.Enqueue(followup);
                answer.AfterSent?.Invoke();
                return Task.CompletedTask;
            });
        return Respond(answer.Response);
    }

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


}
