using System.Diagnostics;
using System.Globalization;

namespace KernelDigest.Bot.Subscriptions;

/// <summary>
/// Who holds a delivery's claim, in a form another process can check: host, process id and the process's start time
/// ("host-b:4242:638685432000000000"). A holder on this host whose process is gone — or whose pid now belongs to a
/// process started at another time — is dead, and its claims can be taken over at once rather than after the claim
/// timeout. Holders on other hosts cannot be checked from here: their claims wait for the timeout.
/// </summary>
public sealed record ClaimHolder(string Host, int ProcessId, long StartTicks)
{
    /// <summary>This process.</summary>
    public static ClaimHolder Current { get; } = new(Environment.MachineName, Environment.ProcessId, StartOf(Process.GetCurrentProcess()));

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Host}:{ProcessId}:{StartTicks}");

    /// <summary>The holder a claim names; null for one written in another form (by an older version, say).</summary>
    public static ClaimHolder? Parse(string? claimedBy)
    {
        var parts = claimedBy?.Split(':');
        return parts is [var host, var pid, var start]
            && int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var p)
            && long.TryParse(start, NumberStyles.None, CultureInfo.InvariantCulture, out var s)
                ? new ClaimHolder(host, p, s)
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
