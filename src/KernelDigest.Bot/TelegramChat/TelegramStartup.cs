using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;

namespace KernelDigest.Bot.TelegramChat;

/// <summary>
/// Start-up on Telegram: getMe (a refused token stops the app, with a message saying so), the command menu in Chinese
/// and English, and the webhook set (webhook mode) or removed (polling mode, which cannot run while one is set).
/// The webhook is set once the host has started, so Kestrel is listening before Telegram is told where to post: set
/// any earlier, the first updates meet a closed port (and "started" in the log would not mean the bot is serving).
/// </summary>
internal sealed partial class TelegramStartup(
    ITelegramBotClient bot,
    TelegramBotIdentity identity,
    Operations.PlatformStatus status,
    IOptions<TelegramOptions> options,
    ILogger<TelegramStartup> logger) : IHostedLifecycleService
{
    private string _name = "";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        status.Enabled(Platform.Telegram);
        User me;
        try
        {
            me = await bot.GetMe(cancellationToken);
        }
        catch (ApiRequestException ex) when (ex.ErrorCode is 401 or 404)
        {
            throw new InvalidOperationException(
                "Telegram refused the bot token (401 Unauthorized). Check Telegram__BotToken: copy the token from @BotFather.", ex);
        }
        identity.Username = me.Username;
        identity.Id = me.Id;
        status.Authenticated(Platform.Telegram);
        _name = me.Username ?? me.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

        foreach (var (lang, code) in new[] { (Lang.Zh, "zh"), (Lang.En, "en"), (Lang.Zh, "") })
        {
            await bot.SetMyCommands(Menu(lang), languageCode: code.Length == 0 ? null : code, cancellationToken: cancellationToken);
        }

        if (options.Value.Mode != TelegramMode.Webhook)
        {
            await bot.DeleteWebhook(cancellationToken: cancellationToken);
            LogStarted(_name, "polling");
        }
    }

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (o.Mode != TelegramMode.Webhook)
            return;
        await bot.SetWebhook(o.WebhookUrl!, secretToken: o.WebhookSecret, allowedUpdates: TelegramPolling.AllowedUpdates, cancellationToken: cancellationToken);
        LogStarted(_name, "webhook");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The command menu in a language: every command of the table, described as /help describes it.</summary>
    public static IReadOnlyList<BotCommand> Menu(Lang lang) =>
        [.. CommandTable.All.Select(c => new BotCommand { Command = c.Name, Description = TextUtil.Truncate(c.HelpIn(lang), 256) })];

    [LoggerMessage(Level = LogLevel.Information, Message = "Telegram bot @{Username} started ({Mode})")]
    private partial void LogStarted(string username, string mode);
}
