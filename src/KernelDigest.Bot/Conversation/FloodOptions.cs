using System.ComponentModel.DataAnnotations;

namespace KernelDigest.Bot.Conversation;

/// <summary>
/// How many commands the bot answers per user and per chat within a window (issue 16 §3.5): one user sending a
/// hundred commands a second must not take the bot from everyone else. Past a limit the chat is told once per window
/// to slow down, and the rest of the window's commands are not answered.
/// </summary>
public sealed class FloodOptions
{
    public const string SectionName = "Flood";

    /// <summary>Commands answered per user per window, in all chats together (env <c>Flood__PerUser</c>).</summary>
    [Range(1, 100_000)]
    public int PerUser { get; set; } = 20;

    /// <summary>Commands answered per chat per window, whoever sends them (env <c>Flood__PerChat</c>).</summary>
    [Range(1, 100_000)]
    public int PerChat { get; set; } = 40;

    /// <summary>The window both limits count in (env <c>Flood__Window</c>, e.g. <c>00:01:00</c>).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
