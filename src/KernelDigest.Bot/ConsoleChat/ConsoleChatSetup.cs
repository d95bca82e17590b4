namespace KernelDigest.Bot.ConsoleChat;

public static class ConsoleChatSetup
{
    /// <summary>
    /// Adds the console chat when no chat platform is configured. The web server then listens on a free loopback port
    /// only (unless URLs are configured), so several console sessions never fight over a port.
    /// </summary>
    public static WebApplicationBuilder AddConsoleChat(this WebApplicationBuilder builder)
    {
        if (TelegramChat.TelegramSetup.IsConfigured(builder.Configuration) || DiscordChat.DiscordSetup.IsConfigured(builder.Configuration))
            return builder;
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddHostedService<ConsoleChatService>();
        return builder;
    }
}
