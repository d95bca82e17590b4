using KernelDigest.Bot.Chats;
using KernelDigest.Core.Commands;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Telegram.Bot;

namespace KernelDigest.Bot.TelegramChat;

public static class TelegramSetup
{
    /// <summary>True when a bot token is configured: the app then runs on Telegram instead of the console.</summary>
    public static bool IsConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[$"{TelegramOptions.SectionName}:{nameof(TelegramOptions.BotToken)}"]);

    public static IHostApplicationBuilder AddTelegram(this IHostApplicationBuilder builder)
    {
        if (!IsConfigured(builder.Configuration))
            return builder;
        builder.Services.AddOptions<TelegramOptions>()
            .BindConfiguration(TelegramOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        // One pacing handler for the process: handlers are pooled per client, the limit is per bot.
        builder.Services.AddSingleton<TelegramPacingHandler>();
        builder.Services.AddHttpClient(Platform.Telegram.Key)
            .ConfigureHttpClient((sp, http) => http.Timeout = sp.GetRequiredService<IOptions<TelegramOptions>>().Value.RequestTimeout)
            .RemoveAllLoggers() // request URLs carry the bot token: never log them
            .AddHttpMessageHandler(sp => new SharedHandler(sp.GetRequiredService<TelegramPacingHandler>()))
            .AddTypedClient<ITelegramBotClient>((http, sp) =>
            {
                var o = sp.GetRequiredService<IOptions<TelegramOptions>>().Value;
                // RetryThreshold 0: 429s come back to TelegramSender, which waits retry_after where it can be seen.
                return new TelegramBotClient(new TelegramBotClientOptions(o.BotToken!, o.ApiBaseUrl) { RetryThreshold = 0 }, http);
            });
        builder.Services.AddSingleton<TelegramBotIdentity>();

        builder.Services.AddSingleton<TelegramInbound>();
        builder.Services.AddSingleton<TelegramMembership>();
        builder.Services.AddSingleton<TelegramUpdateHandler>();
        builder.Services.AddSingleton<TelegramSender>();
        builder.Services.AddSingleton<TelegramUpdateProcessor>();
        builder.Services.AddSingleton<IChatSender, TelegramDigestSender>();
        builder.Services.AddSingleton<TelegramOutbox>();
        builder.Services.AddSingleton<UpdateOffsetStore>();
        builder.Services.AddHostedService<TelegramStartup>();
        builder.Services.AddHostedService<TelegramOutboxWorker>();
        var mode = builder.Configuration[$"{TelegramOptions.SectionName}:{nameof(TelegramOptions.Mode)}"];
        if (!string.Equals(mode, nameof(TelegramMode.Webhook), StringComparison.OrdinalIgnoreCase))
            builder.Services.AddHostedService<TelegramPolling>();
        return builder;
    }

    public static WebApplication MapTelegramWebhook(this WebApplication app)
    {
        if (!IsConfigured(app.Configuration))
            return app;
        var options = app.Services.GetRequiredService<IOptions<TelegramOptions>>().Value;
        if (options.Mode == TelegramMode.Webhook)
            app.MapPost(options.WebhookPath, TelegramWebhook.HandleAsync);
        return app;
    }

    /// <summary>Lets the one pacing handler serve every pooled handler chain (a DelegatingHandler can sit in only one).</summary>
    private sealed class SharedHandler(TelegramPacingHandler pacing) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await pacing.WaitAsync(request, cancellationToken);
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
