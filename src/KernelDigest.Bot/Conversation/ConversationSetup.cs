using KernelDigest.Core.Commands;

namespace KernelDigest.Bot.Conversation;

public static class ConversationSetup
{
    /// <summary>
    /// The conversation pipeline every platform feeds: the report commands, the page codec and the one
    /// <see cref="Dispatcher"/> (with the chat-state commands, when the app keeps chat state).
    /// </summary>
    public static IHostApplicationBuilder AddConversation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ReportCommands>();
        builder.Services.AddSingleton<PageCodec>();
        builder.Services.AddSingleton(sp => new Dispatcher(
            sp.GetRequiredService<ReportCommands>(), sp.GetRequiredService<PageCodec>(), sp.GetService<IChatCommands>()));
        builder.Services.AddOptions<FloodOptions>()
            .BindConfiguration(FloodOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<FloodGuard>();
        builder.Services.AddSingleton<ConversationTurns>();
        builder.Services.AddSingleton<SeenIds>();
        return builder;
    }
}
