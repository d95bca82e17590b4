namespace KernelDigest.Core.Commands;

/// <summary>
/// The commands that read or write what the bot keeps for a chat (<see cref="CommandSpec.UsesChatState"/>). They need
/// storage, which this project does not have, so the app implements them; the <see cref="Dispatcher"/> still decides
/// which one a message asks for.
/// </summary>
public interface IChatCommands
{
    Task<Reply> SubscribeAsync(Inbound input, CancellationToken ct);
    Task<Reply> UnsubscribeAsync(Inbound input, CancellationToken ct);
    Task<Reply> SubscriptionAsync(Inbound input, CancellationToken ct);
    Task<Reply> FollowAsync(Inbound input, CancellationToken ct);
    Task<Reply> UnfollowAsync(Inbound input, CancellationToken ct);
    Task<Reply> FollowingAsync(Inbound input, CancellationToken ct);
    Task<Reply> WatchAsync(Inbound input, CancellationToken ct);
    Task<Reply> UnwatchAsync(Inbound input, CancellationToken ct);
    Task<Reply> WatchesAsync(Inbound input, CancellationToken ct);

    /// <summary>Whether /follow is served here: /patch results then carry Follow buttons.</summary>
    bool CanFollow { get; }
}
