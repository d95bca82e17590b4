using System.Threading.RateLimiting;
using KernelDigest.Core.Commands;
using Microsoft.Extensions.Options;

namespace KernelDigest.Bot.Conversation;

/// <summary>What the flood limits let a turn do.</summary>
public enum Admission
{
    /// <summary>Within the limits: answer it.</summary>
    Answer,

    /// <summary>Over a limit, the first time in this window for this chat: say "slow down" instead of answering.</summary>
    SlowDown,

    /// <summary>Over a limit, and the chat has been told already: answer nothing.</summary>
    Quiet,
}

/// <summary>
/// The per-user and per-chat limits on answered commands, as fixed windows from System.Threading.RateLimiting: a user
/// is counted across every chat, a chat across every user, and a command is answered only when both have a permit
/// left. A third limiter, one permit per chat and window, makes the "slow down" notice come once per window rather than
/// once per dropped command. Partitions of idle users and chats are dropped by the limiters themselves, so memory stays
/// bounded by who is active. The console (one local user) is never limited.
/// </summary>
public sealed class FloodGuard : IDisposable
{
    private readonly PartitionedRateLimiter<Inbound> _answers;
    private readonly PartitionedRateLimiter<Inbound> _notices;

    public FloodGuard(IOptions<FloodOptions> options)
    {
        var o = options.Value;
        Window = o.Window;
        _answers = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<Inbound, string>(input => Fixed(UserKey(input), o.PerUser, o.Window)),
            PartitionedRateLimiter.Create<Inbound, string>(input => Fixed(ChatKey(input), o.PerChat, o.Window)));
        _notices = PartitionedRateLimiter.Create<Inbound, string>(input => Fixed(ChatKey(input), 1, o.Window));
    }

    public TimeSpan Window { get; }

    public Admission Admit(Inbound input)
    {
        if (input.Chat.Platform == Platform.Console)
            return Admission.Answer;
        using var answer = _answers.AttemptAcquire(input);
        if (answer.IsAcquired)
            return Admission.Answer;
        using var notice = _notices.AttemptAcquire(input);
        return notice.IsAcquired ? Admission.SlowDown : Admission.Quiet;
    }

    // A channel post has no user: the channel stands for its admins.
    private static string UserKey(Inbound input) => $"{input.Chat.Platform.Key}:user:{input.UserId ?? "chat:" + input.Chat.ChatId}";

    // A forum topic shares its group's limit: the flood is in the group either way.
    private static string ChatKey(Inbound input) => $"{input.Chat.Platform.Key}:chat:{input.Chat.ChatId}";

    private static RateLimitPartition<string> Fixed(string key, int permits, TimeSpan window) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = window,
            QueueLimit = 0, // a command over the limit is not answered late: it is not answered
            AutoReplenishment = true,
        });

    public void Dispose()
    {
        _answers.Dispose();
        _notices.Dispose();
    }
}
