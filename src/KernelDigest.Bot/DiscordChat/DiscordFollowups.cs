using System.Threading.Channels;
using KernelDigest.Core;

namespace KernelDigest.Bot.DiscordChat;

/// <summary>
/// What is left to send for an interaction after its HTTP response: the answer to a deferred interaction (which
/// edits the "thinking…" response), and the messages of a long answer after the first.
/// </summary>
/// <param name="Token">The interaction token (valid 15 minutes). Never logged.</param>
/// <param name="Messages">The messages, or the work that will produce them.</param>
/// <param name="EditOriginal">True when the first message fills in the deferred response.</param>
/// <param name="Lang">For the apology when the work fails.</param>
/// <param name="AfterSent">Run once the messages are sent, or failed to be (<see cref="Core.Commands.Reply.AfterSent"/>).</param>
public sealed record DiscordFollowup(string Token, Task<IReadOnlyList<DiscordMessage>?> Messages, bool EditOriginal, Lang Lang, Action? AfterSent = null)
{
    public override string ToString() => $"follow-up (edit original: {EditOriginal})";
}

/// <summary>Sends follow-ups through the interaction webhook, several interactions at a time, each one's messages in order.</summary>
public sealed partial class DiscordFollowups(DiscordRestClient rest, ILogger<DiscordFollowups> logger) : BackgroundService
{
    private const int MaxConcurrent = 8;

    private readonly Channel<DiscordFollowup> _queue = Channel.CreateBounded<DiscordFollowup>(new BoundedChannelOptions(1000) { SingleReader = true });

    /// <summary>Queues a follow-up; false (and logged) when the queue is full.</summary>
    public bool Enqueue(DiscordFollowup followup)
    {
        if (_queue.Writer.TryWrite(followup))
            return true;
        LogQueueFull();
        return false;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = new List<Task>();
        try
        {
            await foreach (var followup in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                running.RemoveAll(t => t.IsCompleted);
                if (running.Count >= MaxConcurrent)
                    await Task.WhenAny(running);
                running.Add(SendAsync(followup, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: what is in flight ends with the token.
        }
        await Task.WhenAll(running);
    }

    private async Task SendAsync(DiscordFollowup followup, CancellationToken ct)
    {
        IReadOnlyList<DiscordMessage>? messages;
        try
        {
            messages = await followup.Messages.WaitAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            LogWorkFailed(ex);
            messages = followup.EditOriginal ? [DiscordInteractionHandler.ErrorMessage(followup.Lang)] : null;
        }
        if (messages is null)
        {
            followup.AfterSent?.Invoke();
            return;
        }
        try
        {
            for (var i = 0; i < messages.Count; i++)
            {
                // A notice only the presser sees goes beside the page it was about, never over it.
                if (i == 0 && followup.EditOriginal && messages[i].Flags != DiscordInteractionHandler.Ephemeral)
                    await rest.EditOriginalAsync(followup.Token, messages[i], ct);
                else
                    await rest.CreateFollowupAsync(followup.Token, messages[i], ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is DiscordApiException or HttpRequestException or TaskCanceledException)
        {
            LogSendFailed(ex.Message, ex);
        }
        finally
        {
            followup.AfterSent?.Invoke();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "An interaction's answer failed; sending an apology instead")]
    private partial void LogWorkFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A Discord follow-up could not be sent: {Reason}")]
    private partial void LogSendFailed(string reason, Exception ex);

    [LoggerMessage(Level = LogLevel.Error, Message = "The Discord follow-up queue is full; a follow-up was dropped")]
    private partial void LogQueueFull();
}
