using Lucene.Net.Search;

namespace KernelDigest.Core.Search;

public sealed partial class PatchIndex
{
    /// <summary>
    /// The fewest corpus words (3 letters or more, at most four) that spell <paramref name="word"/> exactly, or null.
    /// </summary>
    private List<string>? WordBreak(string word)
    {
        const int MinPiece = 3, MaxPieces = 4;
        if (word.Length < 2 * MinPiece || word.Length > 40 || !word.All(char.IsAsciiLetter))
            return null;
        // best[i]: fewest pieces spelling word[..i]; from[i]: where the last of them starts.
        var chars = word.ToCharArray();
        var best = new int[word.Length + 1];
        var from = new int[word.Length + 1];
        Array.Fill(best, int.MaxValue);
        best[0] = 0;
        for (var end = MinPiece; end <= word.Length; end++)
        {
            for (var start = 0; start <= end - MinPiece; start++)
            {
                if (best[start] < MaxPieces && best[start] + 1 < best[end] && _dictionary.Contains(chars, start, end - start))
                    (best[end], from[end]) = (best[start] + 1, start);
            }
        }
        if (best[word.Length] is < 2 or > MaxPieces)
            return null;
        var pieces = new List<string>();
        for (var end = word.Length; end > 0; end = from[end])
            pieces.Insert(0, word[from[end]..end]);
        return pieces;
    }

    /// <summary>
    /// The words of a field that are one edit (words of up to five letters) or two edits away from <paramref name="word"/>
    /// and share its first letter (or two), as FuzzyQuery would score them: each weighted by how close it is, the 16
    /// closest kept. Found by scanning the field's words with that prefix: at this index's size a scan is a fraction of
    /// the cost of building FuzzyQuery's Levenshtein automata (megabytes and milliseconds per query).
    /// </summary>
    private BooleanQuery? Near(string field, string word)
    {
        const int MaxExpansions = 16;
        const float FuzzyBoost = 0.5f;
        var (edits, prefix) = word.Length <= 5 ? (1, 1) : (2, 2);
        var candidates = new List<(float Boost, string Term)>();
        foreach (var term in _lookup.Value!.StartingWith(field, word[..prefix]).Distinct())
        {
            if (Math.Abs(term.Length - word.Length) > edits || EditDistance(word, term, edits) is var distance && distance > edits)
                continue;
            var boost = 1f - (float)distance / Math.Min(term.Length, word.Length);
            if (boost > 0)
                candidates.Add((boost, term));
        }
        if (candidates.Count == 0)
            return null;
        var query = new BooleanQuery(disableCoord: true);
        foreach (var (boost, term) in candidates.OrderByDescending(c => c.Boost).ThenBy(c => c.Term, StringComparer.Ordinal).Take(MaxExpansions))
            AddIfPresent(query, Term(field, term, FuzzyBoost * boost));
        return query;
    }

    /// <summary>
    /// Edits (insert, delete, replace, swap two neighbours) between two words, as FuzzyQuery counts them with
    /// transpositions; anything over <paramref name="max"/> comes back as max + 1.
    /// </summary>
    internal static int EditDistance(string a, string b, int max)
    {
        // Three rows of the optimal-string-alignment table: two back is needed for a transposition.
        var previous2 = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var rowMin = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var d = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d = Math.Min(d, previous2[j - 2] + 1);
                current[j] = d;
                rowMin = Math.Min(rowMin, d);
            }
            if (rowMin > max)
                return max + 1;
            (previous2, previous, current) = (previous, current, previous2);
        }
        return Math.Min(previous[b.Length], max + 1);
    }
}
