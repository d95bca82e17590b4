namespace KernelDigest.Core.Commands;

/// <summary>
/// A command name and its argument text, parsed from a message or built from a platform's options, with the page
/// asked for. <see cref="TooLong"/> marks a message past <see cref="MaxInputLength"/>: it is refused, not read.
/// </summary>
public sealed record ParsedCommand(string Name, string Arguments, int Page = 1, bool TooLong = false)
{
    /// <summary>The longest message the bot reads; longer input is refused with this number in the answer.</summary>
    public const int MaxInputLength = 4096;

    /// <summary>
    /// Parses "/Cmd@bot args page:N". Names are case-insensitive. Returns null when the command is addressed to another
    /// bot. Text without a leading slash is a search ("patch").
    /// </summary>
    public static ParsedCommand? Parse(string text, string? botUsername)
    {
        if (text.Length > MaxInputLength)
            return new ParsedCommand("patch", "", TooLong: true);
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

    /// <summary>A command from a platform's structured options (already joined into argument text).</summary>
    public static ParsedCommand FromOptions(string name, string arguments)
    {
        var (rest, page) = TakePage(arguments);
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
