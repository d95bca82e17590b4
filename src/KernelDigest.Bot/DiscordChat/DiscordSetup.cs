using KernelDigest.Bot.Chats;
using KernelDigest.Bot.DiscordChat.Gateway;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace KernelDigest.Bot.DiscordChat;

public static class DiscordSetup
{
    /// <summary>
    /// True when any Discord setting that only an operator would set is present: the app then serves Discord (and
    /// validation names whichever of the three is still missing).
    /// </summary>
    public static bool IsConfigured(IConfiguration configuration) =>
        new[] { nameof(DiscordOptions.ApplicationId), nameof(DiscordOptions.PublicKey), nameof(DiscordOptions.BotToken) }
            .Any(key => !string.IsNullOrWhiteSpace(configuration[$"{DiscordOptions.SectionName}:{key}"]));

    public static IHostApplicationBuilder AddDiscord(this IHostApplicationBuilder builder)
    {
        if (!IsConfigured(builder.Configuration))
            return builder;
        builder.Services.AddOptions<DiscordOptions>()
            .BindConfiguration(DiscordOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHttpClient(nameof(DiscordRestClient))
            .RemoveAllLoggers() // webhook URLs carry interaction tokens: never log them
            .ConfigureHttpClient(http => http.Timeout = TimeSpan.FromSeconds(30))
            // The client is a singleton (it holds the rate-limit state): recycle connections instead of handlers.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        builder.Services.AddSingleton(sp => new DiscordRestClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(DiscordRestClient)),
            sp.GetRequiredService<IOptions<DiscordOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DiscordRestClient>>()));
        builder.Services.AddSingleton(sp => new DiscordSignature(sp.GetRequiredService<IOptions<DiscordOptions>>().Value.PublicKey!));
        builder.Services.AddSingleton<DiscordAutocomplete>();
        builder.Services.AddSingleton<DiscordInteractionHandler>();
        builder.Services.AddSingleton<IChatSender, DiscordDigestSender>();
        builder.Services.AddSingleton<DiscordFollowups>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DiscordFollowups>());
        builder.Services.AddHostedService<DiscordStartup>();
        if (Mode(builder.Configuration) == DiscordMode.Gateway)
        {
            // No public URL: interactions arrive over a connection the bot makes (one per deployment).
            builder.Services.AddSingleton<GatewayStatus>();
            builder.Services.AddHostedService<DiscordGateway>();
            builder.Services.AddHealthChecks().AddCheck<GatewayHealthCheck>("discord-gateway", tags: ["ready"]);
        }
        return builder;
    }

    /// <summary>Interactions mode or gateway mode, as <see cref="DiscordOptions.EffectiveMode"/> decides from the settings.</summary>
    public static DiscordMode Mode(IConfiguration configuration) =>
        configuration.GetSection(DiscordOptions.SectionName).Get<DiscordOptions>()?.EffectiveMode ?? DiscordMode.Gateway;

    /// <summary>
    /// Maps POST /discord/interactions, the URL to give as the application's Interactions Endpoint URL (interactions
    /// mode only: while the application has one, Discord sends nothing over the gateway).
    /// </summary>
    public static WebApplication MapDiscordInteractions(this WebApplication app)
    {
        if (IsConfigured(app.Configuration) && Mode(app.Configuration) == DiscordMode.Interactions)
            app.MapPost(DiscordInteractionEndpoint.Path, DiscordInteractionEndpoint.HandleAsync);
        return app;
    }
}
