using Polly;
using Polly.Retry;

namespace KernelDigest.Bot.Chats;

/// <summary>
/// The retry settings both platform clients share: five tries with jittered exponential back-off from half a second
/// to thirty, so a platform's brief outage costs seconds and a long one hands the delivery back to the outbox. What
/// counts as transient and how long a rate limit asks to wait differ per platform and are passed in.
/// </summary>
public static class ChatRetry
{
    public static ResiliencePipeline Pipeline(
        TimeProvider time,
        PredicateBuilder<object> transient,
        Func<Exception?, TimeSpan?> platformDelay,
        Func<OnRetryArguments<object>, ValueTask>? onRetry = null) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 5,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(500),
                MaxDelay = TimeSpan.FromSeconds(30),
                ShouldHandle = transient,
                DelayGenerator = args => ValueTask.FromResult(platformDelay(args.Outcome.Exception)),
                OnRetry = onRetry,
            })
            .Build();
}
