namespace KernelDigest.Core.Commands;

/// <summary>A message as any platform hands it to the bot: its text, the user's language, and the bot's own username.</summary>
/// <param name="Text">The message text as received.</param>
/// <param name="Lang">The language to answer in.</param>
/// <param name="BotUsername">The bot's username, so "/patch@thisbot" is ours and "/patch@otherbot" is not.</param>
public sealed record ChatInput(string Text, Lang Lang = Lang.Zh, string? BotUsername = null);

/// <summary>A command name and its argument text, parsed from a message.</summary>
public sealed record ParsedCommand(string Name, string Arguments, int Page)
{
    /// <summary>The longest message the bot reads; longer input is refused with this number in the answer.</summary>
    public const int MaxInputLength = 4096;

    /// <summary>
    /// Parses "/Cmd@bot args page:N". Names are case-insensitive. Returns null when the command is addressed to another
    /// bot. Text without a leading slash is a search ("patch").
    /// </summary>
    public static ParsedCommand? Parse(string text, string? botUsername)
    {
        var trimmed = text.Trim();
        string name;
        string args;
        if (trimmed.StartsWith('/'))
        {
            var space = trimmed.AsSpan().IndexOfAny(' ', '\n', '\t');
            var head = space < 0 ? trimmed[1..] : trimmed[1..space];
            args = space < 0 ? "" : trimmed[(space + 1)..].Trim();
            var at = head.IndexOf('@', StringComparison.Ordinal);
            if (at >= 0)
            {
                var target = head[(at + 1)..];
                if (botUsername is not null && !target.Equals(botUsername, StringComparison.OrdinalIgnoreCase))
                    return null;
                head = head[..at];
            }
            name = head.ToLowerInvariant();
        }
        else
        {
            name = "patch";
            args = trimmed;
        }
        var (rest, page) = TakePage(args);
        return new ParsedCommand(name, rest, page);
    }

    // "page:N" (or "p:N", "页:N") anywhere in the arguments selects a page of a long answer.
    private static (string Remaining, int Page) TakePage(string args)
    {
        var page = 1;
        var words = args.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        for (var i = words.Count - 1; i >= 0; i--)
        {
            var w = words[i];
            var colon = w.IndexOfAny([':', '：']);
            if (colon > 0 && w[..colon].ToLowerInvariant() is "page" or "p" or "页"
                && int.TryParse(w.AsSpan(colon + 1), out var n) && n is >= 1 and <= 10_000)
            {
                page = n;
                words.RemoveAt(i);
            }
        }
        return (string.Join(' ', words), page);
    }
}
