namespace KernelDigest.Bot.Tests;

/// <summary>
/// A bot a test has started, in this process (<see cref="InProcessBot"/>) or as a process of its own
/// (<see cref="BotHost"/>): its log, waiting on it, and stopping it.
/// </summary>
public abstract class RunningBot : IAsyncDisposable
{
    /// <summary>Everything the bot has logged so far (for a process: what it wrote to stderr and stdout).</summary>
    public abstract string Logs { get; }

    /// <summary>Why the bot will log nothing more (it exited, or stopped), or null while it runs.</summary>
    protected abstract string? Ended { get; }

    /// <summary>Waits until the bot's log says something (e.g. that it started), failing with its log if it ends first.</summary>
    public async Task WaitForLog(string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            if (Logs.Contains(text, StringComparison.Ordinal))
                return;
            if (Ended is { } why)
                throw new InvalidOperationException($"the bot {why} before logging '{text}'.\n--- bot log ---\n{Logs}");
            await Task.Delay(50);
        }
        throw new TimeoutException($"the bot did not log '{text}'.\n--- bot log ---\n{Logs}");
    }

    /// <summary>Awaits a test step; if it times out, the failure carries the bot's log, which says why.</summary>
    public async Task<T> Within<T>(Task<T> step)
    {
        try
        {
            return await step;
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            throw new TimeoutException($"{ex.Message}\n--- bot log ---\n{Logs}", ex);
        }
    }

    /// <summary>Stops the bot gracefully, as a service manager would.</summary>
    public abstract Task StopAsync();

    public abstract ValueTask DisposeAsync();
}
