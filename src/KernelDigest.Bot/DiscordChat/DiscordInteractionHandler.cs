using KernelDigest.Bot.Conversation;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using Microsoft.Extensions.Options;

namespace KernelDigest.Bot.DiscordChat;

/// <summary>
/// What answers an interaction: the response, what is left to send through the webhook after it, and what to run once
/// the response is out when nothing follows it (<see cref="Reply.AfterSent"/>).
/// </summary>
public sealed record InteractionAnswer(InteractionResponse Response, DiscordFollowup? Followup, Action? AfterSent = null);

/// <summary>
/// Answers an interaction, however it arrived (the HTTP endpoint, or the gateway). Commands are answered at once
/// (type 4, or type 7 for a page button) when they finish within <see cref="DiscordOptions.DeferAfterMilliseconds"/>;
/// otherwise the answer defers (type 5 / 6) and the work fills it in through the interaction webhook. Messages beyond
/// the first are follow-ups. The transport sends the response, then queues the follow-up.
/// </summary>
public sealed partial class DiscordInteractionHandler(
    ConversationTurns turns,
    DiscordAutocomplete autocomplete,
    IHostApplicationLifetime lifetime,
    IOptions<DiscordOptions> options,
    TimeProvider time,
    ILogger<DiscordInteractionHandler> logger)
{
    /// <summary>The answer; null for an interaction type the bot does not handle.</summary>
    public async Task<InteractionAnswer?> AnswerAsync(DiscordInteraction interaction)
    {
        switch (interaction.Type)
        {
            case InteractionType.Ping:
                return new InteractionAnswer(new InteractionResponse(InteractionCallback.Pong), null);
            case InteractionType.Autocomplete:
                return new InteractionAnswer(new InteractionResponse(InteractionCallback.AutocompleteResult,
                    await autocomplete.ForAsync(interaction, lifetime.ApplicationStopping)), null);
            case InteractionType.ApplicationCommand or InteractionType.MessageComponent:
                break;
            default:
                return null;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var isComponent = interaction.Type == InteractionType.MessageComponent;
        // A page button's answer replaces its message; an action button's ("Follow 2") is a message of its own.
        var replaces = isComponent && !PageCodec.IsCommand(interaction.CustomId);
        // The work runs apart from the request: if it outlasts the deadline, it still completes the deferred answer.
        var stopping = lifetime.ApplicationStopping;
        var input = DiscordInbound.From(interaction);
        Action? afterSent = null;
        var work = Task.Run<IReadOnlyList<DiscordMessage>?>(async () =>
        {
            var reply = await turns.AnswerAsync(input, stopping);
            afterSent = reply.AfterSent;
            return Messages(reply, isComponent, turns.Dispatcher.Pages);
        }, stopping);
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
                    LogFailed(interaction.ToString(), ex);
                    messages = [ErrorMessage(interaction.Lang)];
                }
                Record(turns, interaction, input, "in-response", started);
                if (messages is not { Count: > 0 })
                    return new InteractionAnswer(new InteractionResponse(InteractionCallback.DeferredUpdateMessage), null);
                if (messages[0].Flags == Ephemeral)
                    return new InteractionAnswer(new InteractionResponse(InteractionCallback.ChannelMessage, messages[0]), null); // a notice beside the page, not over it
                var rest = messages.Count > 1
                    ? new DiscordFollowup(interaction.Token, Task.FromResult<IReadOnlyList<DiscordMessage>?>([.. messages.Skip(1)]), EditOriginal: false, interaction.Lang, afterSent)
                    : null;
                return new InteractionAnswer(new InteractionResponse(replaces ? InteractionCallback.UpdateMessage : InteractionCallback.ChannelMessage, messages[0]), rest,
                    rest is null ? afterSent : null);
            }
        }

        // Too slow for the 3-second deadline: acknowledge now ("thinking…"), edit the answer in when it is ready.
        LogDeferred(interaction.ToString());
        Record(turns, interaction, input, "deferred", started);
        return new InteractionAnswer(
            new InteractionResponse(replaces ? InteractionCallback.DeferredUpdateMessage : InteractionCallback.DeferredChannelMessage),
            new DiscordFollowup(interaction.Token, work, EditOriginal: true, interaction.Lang, () => afterSent?.Invoke()));
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
        if (reply.Command is ConversationTurns.SlowDownCommand or ConversationTurns.QuietCommand)
        {
            // Discord wants an answer to every interaction; over the flood limits it is the notice, to that user alone,
            // so the channel is not flooded back.
            return [messages[0] with { Flags = Ephemeral, Components = [] }];
        }
        if (!isComponent || (!reply.IsError && !reply.ReplacesMessage))
            return messages; // a command, or an action button's answer: messages of their own
        return reply.IsError ? [messages[0] with { Flags = Ephemeral, Components = [] }] : [messages[0]];
    }

    // One line and one count per handled interaction: command and channel, never the token or the user's text.
    private static void Record(ConversationTurns turns, DiscordInteraction interaction, Inbound input, string outcome, long started) =>
        turns.Record(Platform.Discord, "interaction", interaction.Id, interaction.ChannelId ?? "-", ConversationTurns.CommandName(input), outcome, started);

    internal static DiscordMessage ErrorMessage(Lang lang) => DiscordRenderer.Render(ConversationTurns.Apology(lang))[0];

    [LoggerMessage(Level = LogLevel.Information, Message = "Deferred {Interaction}: it did not finish before the deadline")]
    private partial void LogDeferred(string interaction);

    [LoggerMessage(Level = LogLevel.Error, Message = "Answering {Interaction} failed")]
    private partial void LogFailed(string interaction, Exception ex);
}
