using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Diagnostics;

namespace KernelDigest.Bot.Conversation;

/// <summary>
/// One turn of a conversation, as every platform adapter runs it: dispatch, and should that fail, the apology, so the
/// user always hears back and one broken message never takes the adapter down. Each turn ends with one count, one
/// duration and one log line (command and chat, never the user's text or a token) through <see cref="Record"/>.
/// A turn over the flood limits (<see cref="FloodGuard"/>) is not dispatched: the reply is the "slow down" notice
/// (<see cref="SlowDownCommand"/>) once per window, and a reply adapters send nothing for (<see cref="QuietCommand"/>)
/// after it.
/// </summary>
public sealed partial class ConversationTurns(Dispatcher dispatcher, FloodGuard flood, ILogger<ConversationTurns> logger)
{
    /// <summary>The reply's command for the "slow down" notice.</summary>
    public const string SlowDownCommand = "slow-down";

    /// <summary>
    /// The reply's command for a turn over the limits after the notice: Telegram sends nothing (a button press only
    /// stops its spinner); Discord, which must answer every interaction, shows the notice to that user alone.
    /// </summary>
    public const string QuietCommand = "throttled";

    public Dispatcher Dispatcher => dispatcher;

    /// <summary>The reply to <paramref name="input"/>; the apology when answering threw; the notice when over the limits.</summary>
    public async ValueTask<Reply> AnswerAsync(Inbound input, CancellationToken ct)
    {
        switch (flood.Admit(input))
        {
            case Admission.SlowDown:
                LogFlood(input.Chat.ToString(), input.UserId ?? "-");
                return SlowDown(input, SlowDownCommand);
            case Admission.Quiet:
                return SlowDown(input, QuietCommand);
        }
        try
        {
            return await dispatcher.DispatchAsync(input, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            LogFailed(input.Chat.ToString(), CommandName(input), ex);
            return ReportCommands.Apology(input.Lang);
        }
    }

    private Reply SlowDown(Inbound input, string command) => new()
    {
        Command = command,
        Query = input.Text,
        Lang = input.Lang,
        IsError = true,
        Title = BotTexts.For(input.Lang).SlowDown((int)Math.Ceiling(flood.Window.TotalSeconds)),
    };

    /// <summary>The apology in a language, for adapters that fail before a turn reaches the dispatcher.</summary>
    public static Reply Apology(Lang lang) => ReportCommands.Apology(lang);

    /// <summary>What a turn is logged and counted as: the command word, "page" for a button, or the adapter's own kind.</summary>
    public static string CommandName(Inbound? input) =>
        input is null ? "-" : input.PageToken is not null ? "page" : "/" + (input.Command?.Name ?? "?");

    /// <summary>Counts and logs one handled turn: e.g. "Telegram update 5 chat 42 /patch: sent".</summary>
    public void Record(Platform platform, string kind, string id, string chat, string command, string outcome, long started)
    {
        Telemetry.Handled.Add(1, Telemetry.Tag("platform", platform.Key), Telemetry.Tag("command", command), Telemetry.Tag("outcome", outcome));
        Telemetry.AnswerDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, Telemetry.Tag("platform", platform.Key));
        LogHandled(Capitalized(platform), kind, id, chat, command, outcome);
    }

    private static string Capitalized(Platform platform) => char.ToUpperInvariant(platform.Key[0]) + platform.Key[1..];

    [LoggerMessage(Level = LogLevel.Information, Message = "{Platform} {Kind} {Id} chat {Chat} {Command}: {Outcome}")]
    private partial void LogHandled(string platform, string kind, string id, string chat, string command, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flood in {Chat} (user {User}): over the Flood limits, told to slow down; commands go unanswered for the rest of the window")]
    private partial void LogFlood(string chat, string user);

    [LoggerMessage(Level = LogLevel.Error, Message = "Answering {Command} in {Chat} failed; the user gets an apology")]
    private partial void LogFailed(string chat, string command, Exception ex);
}
