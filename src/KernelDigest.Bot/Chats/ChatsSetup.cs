using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KernelDigest.Bot.Chats;

public static class ChatsSetup
{
    /// <summary>Registers the shared <see cref="ChatFeedback"/> once, whichever platforms are on.</summary>
    public static IServiceCollection TryAddChatFeedback(this IServiceCollection services)
    {
        services.TryAddSingleton<ChatFeedback>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
