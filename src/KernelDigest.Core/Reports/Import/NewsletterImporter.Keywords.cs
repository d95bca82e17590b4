using System.Text.RegularExpressions;

namespace KernelDigest.Core.Reports.Import;

public sealed partial class NewsletterImporter
{
    [GeneratedRegex(@"[A-Za-z0-9_]+(?:[-.][A-Za-z0-9_]+)*")]
    private static partial Regex KeywordToken();

    [GeneratedRegex(@"^(?:[vV]\d+(?:\.\d+)*(?:-rc\d+)?|rc\d+)$", RegexOptions.IgnoreCase)]
    private static partial Regex VersionLike();

    [GeneratedRegex(@"^(?<caps>[A-Z]{2,})[a-z]{3,}$")]
    private static partial Regex CapsGluedToWord();

    /// <summary>Upper-case words that are English or units rather than identifiers.</summary>
    private static readonly HashSet<string> NotKeywords = new(StringComparer.Ordinal)
    {
        "PATCH", "RFC", "TODO", "OK", "END", "THE", "AND", "FOR", "NOT", "BUT", "WITH", "ID", "IT", "IS", "OR", "NOTE",
        "FAQ", "KB", "MB", "GB", "TB", "PB", "CPU",
    };

    /// <summary>
    /// Up to <paramref name="max"/> identifiers in order of first appearance, deduplicated ignoring case: tokens with an
    /// underscore (KVM_BUG_ON), hyphenated tokens (blk-iocost, SEV-ES), letter-led tokens with digits (fchmodat2,
    /// arm64) and upper-case acronyms (TDP, IPIs → IPI). Version numbers, plain words and Chinese are skipped.
    /// </summary>
    internal static IReadOnlyList<string> ExtractKeywords(IEnumerable<string> texts, int max = MaxKeywords)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = new List<string>();
        foreach (var text in texts)
        {
            for (var m = KeywordToken().Match(text); m.Success; m = m.NextMatch())
            {
                if (Keyword(m.Value) is { } keyword && seen.Add(keyword))
                {
                    result.Add(keyword);
                    if (result.Count >= max)
                        return result;
                }
            }
        }
        return result;
    }

    private static string? Keyword(string token)
    {
        if (token.Length > 40 || !(char.IsAsciiLetter(token[0]) || token[0] == '_'))
            return null;
        if (token.Contains('-', StringComparison.Ordinal))
        {
            // "SEV-EShypervisor" (a lost space): keep "SEV-ES".
            var parts = token.Split('-');
            for (var k = 1; k < parts.Length; k++)
            {
                if (CapsGluedToWord().Match(parts[k]) is { Success: true } glued)
                {
                    token = string.Join('-', parts[..k]) + "-" + glued.Groups["caps"].Value;
                    break;
                }
            }
        }
        if (VersionLike().IsMatch(token) || !token.Any(char.IsAsciiLetter))
            return null;
        if (token.Contains('_', StringComparison.Ordinal) || token.Contains('-', StringComparison.Ordinal))
            return token;
        if (token.Any(char.IsAsciiDigit))
            return token.Length >= 3 && !token.Contains('.', StringComparison.Ordinal) ? token : null;
        if (token.Length >= 3 && token[^1] == 's' && token[..^1].All(char.IsAsciiLetterUpper))
            token = token[..^1];
        return token.Length >= 2 && token.All(char.IsAsciiLetterUpper) && !NotKeywords.Contains(token) ? token : null;
    }
}
