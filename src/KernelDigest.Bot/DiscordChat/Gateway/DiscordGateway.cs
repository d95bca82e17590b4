using System.Net.WebSockets;
using System.Text.Json;
using KernelDigest.Bot.Chats;
using KernelDigest.Bot.Conversation;
using KernelDigest.Bot.Storage;
using Microsoft.Extensions.Options;

namespace KernelDigest.Bot.DiscordChat.Gateway;

/// <summary>
/// Discord without a public URL: the bot connects out to the gateway and receives interactions there, answering each
/// exactly as the HTTP endpoint would (<see cref="DiscordInteractionHandler"/>), through
/// <c>POST /interactions/{id}/{token}/callback</c>. One connection per deployment: the instance holding the
/// "discord-gateway" lease in the database connects; the others stand by and take over when it stops renewing.
/// A drop is resumed (events sent meanwhile are replayed, and each interaction is answered once); a session Discord
/// ends is identified anew, within the daily session-start budget and one identify per 5 s; a refusal that
/// reconnecting cannot mend (a bad token) stops the gateway with a message naming the setting.
/// </summary>
internal sealed partial class DiscordGateway(
    DiscordRestClient rest,
    DiscordInteractionHandler handler,
    DiscordFollowups followups,
    SeenIds seen,
    Leases leases,
    GatewayStatus status,
    IOptions<DiscordOptions> options,
    TimeProvider time,
    ILogger<DiscordGateway> logger) : BackgroundService
{
    public const string LeaseName = "discord-gateway";

    private readonly string _instance = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private readonly GatewaySession _session = new();

    private DateTimeOffset _lastIdentify = DateTimeOffset.MinValue;

    // Connections in a row that ended without a session (READY or RESUMED): the back-off grows with them.
    private int _failures;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var length = TimeSpan.FromSeconds(options.Value.GatewayLeaseSeconds);
        var renewEvery = length / 3;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!await TryLeaseAsync(length, stoppingToken))
            {
                var holder = await HolderTextAsync(stoppingToken);
                status.Set(GatewayState.Standby, $"another instance holds the gateway ({holder})");
                await Task.Delay(renewEvery, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }
            using var held = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var renewing = RenewAsync(length, renewEvery, held);
            var stopped = await ConnectAsync(held.Token);
            await held.CancelAsync();
            await renewing;
            if (stopped is not null)
            {
                status.Set(GatewayState.Stopped, stopped);
                LogStopped(stopped);
                await leases.ReleaseAsync(LeaseName, _instance, CancellationToken.None);
                return;
            }
        }
        await leases.ReleaseAsync(LeaseName, _instance, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Connections, one after another, while the lease is held; the reason when the gateway must stop for good.</summary>
    private async Task<string?> ConnectAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var resuming = _session.CanResume;
            status.Set(resuming ? GatewayState.Resuming : GatewayState.Connecting, resuming ? "resuming the session" : "connecting");
            GatewayOutcome outcome;
            try
            {
                var url = resuming ? _session.ResumeUrl! : await NewSessionUrlAsync(ct);
                using var socket = new ClientWebSocket();
                await socket.ConnectAsync(new UriBuilder(url) { Query = "v=10&encoding=json" }.Uri, ct);
                using var sendLimit = PacedLimiter.Create(120, TimeSpan.FromSeconds(60));
                using var connection = new GatewayConnection(socket, _session, options.Value.BotToken!, sendLimit, (type, data) => OnDispatchAsync(type, data, resuming), () => _lastIdentify = time.GetUtcNow(), time, logger);
                outcome = await connection.RunAsync(ct);
            }
            catch (DiscordUnauthorizedException)
            {
                return "Discord refused the bot token (401): check Discord:BotToken (env Discord__BotToken)";
            }
            catch (Exception ex) when (ex is WebSocketException or HttpRequestException or DiscordApiException or JsonException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                outcome = new GatewayOutcome.Reconnect("could not connect: " + ex.Message);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return null;
            }
            switch (outcome)
            {
                case GatewayOutcome.Halt stop:
                    return stop.Why;
                case GatewayOutcome.Reidentify again:
                    _session.Clear();
                    LogReconnect(again.Why, "identifying anew");
                    // Discord asks for a random wait of 1-5 s before identifying again.
                    await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1000, 5000)), time, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    break;
                case GatewayOutcome.Reconnect resume:
                    _failures++;
                    LogReconnect(resume.Why, _session.CanResume ? "resuming" : "identifying");
                    // Quickly at first (a resume replays what was missed), backing off to a minute while it keeps failing.
                    var wait = TimeSpan.FromMilliseconds(Math.Min(60_000, 250 * Math.Pow(2, Math.Min(_failures - 1, 8))) + Random.Shared.Next(250));
                    await Task.Delay(wait, time, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    break;
            }
            GatewayStatus.CountReconnect(resumed: _session.CanResume);
        }
        return null;
    }

    /// <summary>The gateway's URL for a new session, once the day's budget and the identify rate allow one.</summary>
    private async Task<string> NewSessionUrlAsync(CancellationToken ct)
    {
        var bot = await rest.GetGatewayBotAsync(ct);
        if (bot.Remaining <= 0)
        {
            LogBudget(bot.ResetAfter.TotalMinutes);
            status.Set(GatewayState.Connecting, $"no session starts left today; waiting {bot.ResetAfter.TotalMinutes:F0} min");
            await Task.Delay(bot.ResetAfter, time, ct);
        }
        // At most max_concurrency identifies per 5 s; with one connection, one per 5 s / max_concurrency, counted from
        // when the last identify was sent (the next is sent later still: after this connection's Hello).
        var gap = TimeSpan.FromSeconds(5.0 / bot.MaxConcurrency + 0.1) - (time.GetUtcNow() - _lastIdentify);
        if (gap > TimeSpan.Zero)
            await Task.Delay(gap, time, ct);
        return bot.Url;
    }

    private Task OnDispatchAsync(string type, JsonElement data, bool resuming)
    {
        switch (type)
        {
            case "READY":
                _failures = 0;
                status.Set(GatewayState.Connected, "session " + _session.SessionId);
                LogConnected(resuming ? "identified (the session could not be resumed)" : "identified");
                break;
            case "RESUMED":
                _failures = 0;
                status.Set(GatewayState.Connected, "session " + _session.SessionId + " resumed");
                LogConnected("resumed");
                break;
            case "INTERACTION_CREATE":
                // Answered apart from the receive loop, which must keep reading (heartbeat requests, ACKs).
                _ = Task.Run(() => AnswerAsync(data));
                break;
        }
        return Task.CompletedTask;
    }

    private async Task AnswerAsync(JsonElement data)
    {
        try
        {
            if (DiscordInteraction.Parse(data) is not { } interaction)
                return;
            if (!seen.FirstTime(Core.Commands.Platform.Discord, interaction.Id))
                return; // replayed after a resume, and answered already
            if (await handler.AnswerAsync(interaction) is not { } answer)
                return;
            try
            {
                await rest.CreateInteractionResponseAsync(interaction.Id, interaction.Token, answer.Response, CancellationToken.None);
                if (answer.Followup is { } followup)
                    followups.Enqueue(followup);
            }
            finally
            {
                answer.AfterSent?.Invoke();
            }
        }
        catch (Exception ex) when (ex is DiscordApiException or HttpRequestException or TaskCanceledException or ArgumentException)
        {
            LogAnswerFailed(ex.Message, ex);
        }
    }

    private async Task<bool> TryLeaseAsync(TimeSpan length, CancellationToken ct)
    {
        try
        {
            return await leases.TryAcquireAsync(LeaseName, _instance, length, ct);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            LogLeaseFailed(ex.Message);
            return false;
        }
    }

    /// <summary>Renews the lease while connected; when it cannot, ends the connection so another instance can take over.</summary>
    private async Task RenewAsync(TimeSpan length, TimeSpan every, CancellationTokenSource held)
    {
        while (!held.IsCancellationRequested)
        {
            await Task.Delay(every, time, held.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (held.IsCancellationRequested)
                return;
            if (!await TryLeaseAsync(length, held.Token))
            {
                LogLeaseLost();
                await held.CancelAsync();
                return;
            }
        }
    }

    private async Task<string> HolderTextAsync(CancellationToken ct)
    {
        try
        {
            return await leases.HolderAsync(LeaseName, ct) is { } h ? $"{h.Holder} until {h.Until:HH:mm:ss}" : "?";
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
        {
            return "?";
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Discord gateway connected: {How}")]
    private partial void LogConnected(string how);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord gateway connection ended ({Why}); {Next}")]
    private partial void LogReconnect(string why, string next);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Discord gateway stopped: {Reason}")]
    private partial void LogStopped(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord gateway: no session starts left today; waiting {Minutes:F0} minutes for the budget to refill")]
    private partial void LogBudget(double minutes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord gateway: answering an interaction failed: {Reason}")]
    private partial void LogAnswerFailed(string reason, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord gateway lease could not be taken or renewed: {Reason}")]
    private partial void LogLeaseFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord gateway lease lost: another instance takes the connection over")]
    private partial void LogLeaseLost();
}
