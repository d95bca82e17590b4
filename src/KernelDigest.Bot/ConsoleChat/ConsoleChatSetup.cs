namespace KernelDigest.Bot.ConsoleChat;

public static class ConsoleChatSetup
{
    /// <summary>
    /// Adds the console chat when no chat platform is configured, unless <c>Console:Enabled</c> is false (a container or
    /// a service has no terminal: it serves the web archive instead). With the web archive off, the web server listens
    /// on a free loopback port only (unless URLs are configured), so several console sessions never fight over a port;
    /// with it on, the archive's default address applies (see <see cref="Web.WebSetup.DefaultUrl"/>).
    /// </summary>
    public static WebApplicationBuilder AddConsoleChat(this WebApplicationBuilder builder)
    {
        if (TelegramChat.TelegramSetup.IsConfigured(builder.Configuration) || DiscordChat.DiscordSetup.IsConfigured(builder.Configuration))
            return builder;
        if (!builder.Configuration.GetValue("Console:Enabled", true))
            return builder;
        if (!Web.WebSetup.IsEnabled(builder.Configuration)
            && string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddHostedService<ConsoleChatService>();
        return builder;
    }
}
