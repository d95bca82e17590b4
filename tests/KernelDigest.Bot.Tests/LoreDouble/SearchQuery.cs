using System.Globalization;
using System.Text.RegularExpressions;

namespace KernelDigest.Bot.Tests.LoreDouble;

/// <summary>
/// The part of public-inbox's search language the double understands: terms joined by AND (the default operator,
/// also written out), each a bare word or <c>prefix:value</c> with a quoted phrase allowed: <c>s:</c> subject,
/// <c>f:</c> from, <c>b:</c> body, <c>bs:</c> subject or body, <c>dfn:</c> a file name in the diff (a path prefix),
/// <c>d:YYYYMMDD..YYYYMMDD</c> the Date: day, inclusive, either end open; brackets group (with only AND to join,
/// a group means what its terms mean; an unbalanced one is Xapian's syntax error). Anything else is a bad query (400).
/// </summary>
public sealed partial class SearchQuery
{
    private readonly List<Func<ArchivedMessage, bool>> _terms = [];

    public bool Matches(ArchivedMessage m) => _terms.All(t => t(m));

    public static bool TryParse(string q, out SearchQuery query, out string problem)
    {
        query = new SearchQuery();
        problem = "";
        if (Ungrouped(q) is not { } flat)
        {
            problem = "unbalanced brackets or quotes";
            return false;
        }
        foreach (Match token in Token().Matches(flat))
        {
            var prefix = token.Groups["prefix"].Success ? token.Groups["prefix"].Value : "";
            var value = token.Groups["quoted"].Success ? token.Groups["quoted"].Value : token.Groups["word"].Value;
            if (prefix.Length == 0 && value == "AND")
                continue;
            if (prefix.Length == 0 && value is "OR" or "NOT" or "XOR")
            {
                problem = $"the double does not do {value}";
                return false;
            }
            Func<ArchivedMessage, bool>? term = prefix switch
            {
                "" => m => Has(m.Subject, value) || Has(m.Body, value) || Has(m.FromName, value),
                "s" => m => Has(m.Subject, value),
                "f" => m => Has(m.FromName, value) || Has(m.FromEmail, value),
                "b" => m => Has(m.Body, value),
                "bs" => m => Has(m.Subject, value) || Has(m.Body, value),
                "dfn" => m => m.DiffFiles.Any(f => f.StartsWith(value, StringComparison.Ordinal) || f.Contains("/" + value, StringComparison.Ordinal)),
                "d" => DateRange(value),
                _ => null,
            };
            if (term is null)
            {
                problem = $"unknown prefix or value: {token.Value}";
                return false;
            }
            query._terms.Add(term);
        }
        return true;
    }

    /// <summary>The query with its brackets (outside quotes) made spaces; null when they or the quotes do not balance.</summary>
    private static string? Ungrouped(string q)
    {
        var chars = q.ToCharArray();
        var depth = 0;
        var quoted = false;
        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] == '"')
                quoted = !quoted;
            else if (!quoted && chars[i] is '(' or ')')
            {
                depth += chars[i] == '(' ? 1 : -1;
                if (depth < 0)
                    return null;
                chars[i] = ' ';
            }
        }
        return depth == 0 && !quoted ? new string(chars) : null;
    }

    private static bool Has(string text, string value) => text.Contains(value, StringComparison.OrdinalIgnoreCase);

    private static Func<ArchivedMessage, bool>? DateRange(string value)
    {
        var parts = value.Split("..");
        if (parts.Length > 2)
            return null;
        DateOnly? Day(string s) => s.Length == 0 ? null
            : DateOnly.TryParseExact(s, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : DateOnly.MinValue;
        var from = Day(parts[0]);
        var to = parts.Length == 2 ? Day(parts[1]) : from;
        if (from == DateOnly.MinValue || to == DateOnly.MinValue)
            return null;
        return m =>
        {
            var day = DateOnly.FromDateTime(m.Date.UtcDateTime);
            return (from is null || day >= from) && (to is null || day <= to);
        };
    }

    [GeneratedRegex(@"(?:(?<prefix>[a-z]+):)?(?:""(?<quoted>[^""]*)""|(?<word>[^\s""]+))")]
    private static partial Regex Token();
}
