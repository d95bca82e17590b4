using KernelDigest.Core.Commands;
using Microsoft.Extensions.Options;

namespace KernelDigest.Bot.DiscordChat;

/// <summary>
/// Start-up on Discord: registers the slash commands by bulk overwrite (globally, or to Discord:DevGuildId), only when
/// what Discord holds differs from <see cref="DiscordCommands.Definitions"/> (Discord limits command creates per day).
/// A refused token stops the app with a message saying which setting to fix; other failures are logged and the bot
/// serves with the commands registered before. In gateway mode it also warns when the application still has an
/// Interactions Endpoint URL, since Discord then sends nothing over the gateway.
/// </summary>
internal sealed partial class DiscordStartup(DiscordRestClient rest, Operations.PlatformStatus status, IOptions<DiscordOptions> options, ILogger<DiscordStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        status.Enabled(Platform.Discord);
        await RegisterCommandsAsync(cancellationToken);
        if (options.Value.EffectiveMode == DiscordMode.Gateway)
            await WarnOfEndpointUrlAsync(cancellationToken);
    }

    private async Task RegisterCommandsAsync(CancellationToken cancellationToken)
    {
        var guild = string.IsNullOrEmpty(options.Value.DevGuildId) ? null : options.Value.DevGuildId;
        var scope = guild is null ? "global" : "guild " + guild;
        var wanted = DiscordCommands.Definitions;
        try
        {
            var existing = await rest.GetCommandsAsync(guild, cancellationToken);
            status.Authenticated(Platform.Discord); // the token was accepted
            if (DiscordCommands.Fingerprint(existing, guild is not null) == DiscordCommands.Fingerprint(wanted, guild is not null))
            {
                LogUnchanged(scope, DiscordCommands.Names(wanted));
                return;
            }
            await rest.BulkOverwriteCommandsAsync(guild, wanted, cancellationToken);
            LogRegistered(scope, DiscordCommands.Names(wanted));
        }
        catch (DiscordUnauthorizedException ex)
        {
            throw new InvalidOperationException(
                "Discord refused the bot token (401 Unauthorized). Check Discord:BotToken (env Discord__BotToken): copy it from the Developer Portal, Bot → Reset Token.", ex);
        }
        catch (DiscordApiException ex) when (guild is not null && ex.Code == DiscordApiException.MissingAccess)
        {
            LogRegistrationFailed(scope, $"missing access: is the bot in the guild set by Discord:DevGuildId, invited with the applications.commands scope? ({ex.Message})", ex);
        }
        catch (Exception ex) when (ex is DiscordApiException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogRegistrationFailed(scope, ex.Message, ex);
        }
    }

    /// <summary>
    /// Discord sends interactions over the gateway only while the application has no Interactions Endpoint URL: say
    /// so at start rather than leave a gateway-mode bot silently deaf.
    /// </summary>
    private async Task WarnOfEndpointUrlAsync(CancellationToken ct)
    {
        try
        {
            if (await rest.GetApplicationAsync(ct) is { ValueKind: System.Text.Json.JsonValueKind.Object } app
                && app.TryGetProperty("interactions_endpoint_url", out var url) && url.ValueKind == System.Text.Json.JsonValueKind.String
                && url.GetString() is { Length: > 0 } set)
                LogEndpointUrlSet(set);
        }
        catch (Exception ex) when (ex is DiscordApiException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            LogRegistrationFailed("application", "could not read the application: " + ex.Message, ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Discord commands ({Scope}) are up to date: {Commands}")]
    private partial void LogUnchanged(string scope, string commands);

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered Discord commands ({Scope}): {Commands}")]
    private partial void LogRegistered(string scope, string commands);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord gateway mode, but the application has an Interactions Endpoint URL ({Url}): Discord sends interactions there, not over the gateway. Clear it in the Developer Portal (General Information), or run in interactions mode")]
    private partial void LogEndpointUrlSet(string url);

    [LoggerMessage(Level = LogLevel.Error, Message = "Registering Discord commands ({Scope}) failed; serving with the commands registered before: {Reason}")]
    private partial void LogRegistrationFailed(string scope, string reason, Exception ex);
}
