using KernelDigest.Bot.Follows;
using KernelDigest.Bot.Subscriptions;
using KernelDigest.Core.Commands;

namespace KernelDigest.Bot.Conversation;

/// <summary>
/// The app's chat-state commands for the <see cref="Dispatcher"/>: subscriptions and follows, each feature answering
/// its own. The dispatcher stays the only switch; this only routes to the feature that was added.
/// </summary>
public sealed class ChatCommands(SubscriptionCommands subscriptions, FollowCommands? follows, WatchCommands? watches) : IChatCommands
{
    public Task<Reply> SubscribeAsync(Inbound input, CancellationToken ct) => subscriptions.SubscribeAsync(input, ct);
    public Task<Reply> UnsubscribeAsync(Inbound input, CancellationToken ct) => subscriptions.UnsubscribeAsync(input, ct);
    public Task<Reply> SubscriptionAsync(Inbound input, CancellationToken ct) => subscriptions.SubscriptionAsync(input, ct);
    public Task<Reply> FollowAsync(Inbound input, CancellationToken ct) => Follows(input).FollowAsync(input, ct);
    public Task<Reply> UnfollowAsync(Inbound input, CancellationToken ct) => Follows(input).UnfollowAsync(input, ct);
    public Task<Reply> FollowingAsync(Inbound input, CancellationToken ct) => Follows(input).FollowingAsync(input, ct);

    public Task<Reply> WatchAsync(Inbound input, CancellationToken ct) => Watches(input).WatchAsync(input, ct);
    public Task<Reply> UnwatchAsync(Inbound input, CancellationToken ct) => Watches(input).UnwatchAsync(input, ct);
    public Task<Reply> WatchesAsync(Inbound input, CancellationToken ct) => Watches(input).WatchesAsync(input, ct);
    public bool CanFollow => follows is not null;

    private WatchCommands Watches(Inbound input) =>
        watches ?? throw new InvalidOperationException($"{input.Text}: the follows feature is not added (AddFollows)");

    private FollowCommands Follows(Inbound input) =>
        follows ?? throw new InvalidOperationException($"{input.Text}: the follows feature is not added (AddFollows)");
}
