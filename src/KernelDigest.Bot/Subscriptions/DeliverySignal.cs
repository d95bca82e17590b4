namespace KernelDigest.Bot.Subscriptions;

/// <summary>
/// "There may be something to send now": raised by whatever owes a delivery (the planner, /subscribe, a chat that
/// moved), awaited by the <see cref="DeliveryWorker"/>. Its own type so that those who raise it need not depend on the
/// worker, and the worker can depend on them.
/// </summary>
public sealed class DeliverySignal : IDisposable
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already raised.
        }
    }

    /// <summary>Waits until raised or until <paramref name="timeout"/> passes, whichever is first.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _wake.WaitAsync(timeout, ct);

    public void Dispose() => _wake.Dispose();
}
