using System.Diagnostics;
using System.Globalization;

namespace KernelDigest.Bot.Subscriptions;

/// <summary>
/// Who holds a delivery's claim or a lease, in a form another process can check: host, process id, the process's
/// start time, and which dispatcher of that process ("host-b:4242:638685432000000000:3f2a…"). A holder on this host
/// whose process is gone — or whose pid now belongs to a process started at another time — is dead, and what it held
/// can be taken over at once rather than after the claim timeout. Holders on other hosts cannot be checked from here:
/// their claims wait for the timeout.
/// </summary>
/// <param name="Host">The machine's name.</param>
/// <param name="ProcessId">The process on it.</param>
/// <param name="StartTicks">When that process started (UTC ticks, whole seconds): a reused pid shows another time.</param>
/// <param name="Nonce">One per dispatcher: tests run several in one process, and their claims must not mix.</param>
public sealed record ClaimHolder(string Host, int ProcessId, long StartTicks, string Nonce)
{
    private static readonly long CurrentStart = StartOf(Process.GetCurrentProcess());

    /// <summary>A new holder in this process.</summary>
    public static ClaimHolder New() => new(Environment.MachineName, Environment.ProcessId, CurrentStart, Guid.NewGuid().ToString("N")[..12]);

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Host}:{ProcessId}:{StartTicks}:{Nonce}");

    /// <summary>The holder a claim names; null for one written in another form (by an older version, say).</summary>
    public static ClaimHolder? Parse(string? claimedBy)
    {
        var parts = claimedBy?.Split(':');
        return parts is [var host, var pid, var start, var nonce]
            && int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var p)
            && long.TryParse(start, NumberStyles.None, CultureInfo.InvariantCulture, out var s)
                ? new ClaimHolder(host, p, s, nonce)
                : null;
    }

    /// <summary>"host-b:4242": how an operator finds the process.</summary>
    public string Display => string.Create(CultureInfo.InvariantCulture, $"{Host}:{ProcessId}");

    /// <summary>True when the holder is on this host and provably not running: no such process, or a reused pid.</summary>
    public bool IsDeadHere
    {
        get
        {
            if (!string.Equals(Host, Environment.MachineName, StringComparison.Ordinal))
                return false;
            try
            {
                using var process = Process.GetProcessById(ProcessId);
                return process.HasExited || StartOf(process) != StartTicks;
            }
            catch (ArgumentException)
            {
                return true; // no process has that id
            }
            catch (InvalidOperationException)
            {
                return true; // it exited while we looked
            }
        }
    }

    // Whole seconds: the start time is read from the kernel's process table, and is compared, not measured.
    private static long StartOf(Process process) =>
        process.StartTime.ToUniversalTime().Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond;
}
