using KernelDigest.Core.Reports;

namespace KernelDigest.Core.Search;

/// <summary>
/// Cuts a short excerpt of an entry around the words the query matched and marks them. Works on the stored text
/// with plain string search: re-analysing Chinese summaries per hit would cost more than the search itself.
/// </summary>
internal static class Snippets
{
    private const int Width = 120;

    public static Snippet Make(ReportEntry entry, IEnumerable<string> surfaces)
    {
        var words = surfaces.Where(s => s.Length >= 2).Distinct(StringComparer.OrdinalIgnoreCase).OrderByDescending(s => s.Length).ToList();
        var paragraphs = entry.Summary.Concat(entry.Changelog.SelectMany(c => c.Items)).ToList();
        if (paragraphs.Count == 0 || words.Count == 0)
            return Snippet.None;

        // The paragraph where the most different query words occur, first one on ties.
        var best = paragraphs
            .Select((p, i) => (Text: p, Index: i, Found: words.Count(w => IndexOfWord(p, w, 0) >= 0)))
            .Where(p => p.Found > 0)
            .OrderByDescending(p => p.Found).ThenBy(p => p.Index)
            .FirstOrDefault();
        if (best.Text is null)
            return Snippet.None;

        var text = best.Text;
        var first = words.Select(w => IndexOfWord(text, w, 0)).Where(i => i >= 0).Min();
        var start = Math.Max(0, first - Width / 3);
        var end = Math.Min(text.Length, start + Width);
        start = SafeIndex(text, start);
        end = SafeIndex(text, end);
        var window = text[start..end];

        var marks = new bool[window.Length];
        foreach (var w in words)
        {
            // Searched in the whole paragraph, so a word cut by the window's start is not taken for a word start.
            var at = start;
            while ((at = IndexOfWord(text, w, at)) >= 0 && at + w.Length <= end)
            {
                Array.Fill(marks, true, at - start, w.Length);
                at += w.Length;
            }
        }
        var parts = new List<SnippetPart>();
        if (start > 0)
            parts.Add(new SnippetPart("…", false));
        var runStart = 0;
        for (var i = 1; i <= window.Length; i++)
        {
            if (i == window.Length || marks[i] != marks[runStart])
            {
                parts.Add(new SnippetPart(window[runStart..i], marks[runStart]));
                runStart = i;
            }
        }
        if (end < text.Length)
            parts.Add(new SnippetPart("…", false));
        return new Snippet(parts);
    }

    /// <summary>
    /// The next occurrence of <paramref name="word"/> (case-insensitive) from <paramref name="start"/>. A word that begins
    /// with a Latin letter or digit must begin a word of the text too: "VM" is not the end of "KVM" or "SVM", while a
    /// prefix still counts ("fchmod" in "fchmodat2", "NOAPPEND" in "RWF_NOAPPEND"). Chinese matches anywhere.
    /// </summary>
    private static int IndexOfWord(string text, string word, int start)
    {
        var latinStart = char.IsAsciiLetterOrDigit(word[0]);
        while ((start = text.IndexOf(word, start, StringComparison.OrdinalIgnoreCase)) >= 0)
        {
            if (!latinStart || start == 0 || !char.IsAsciiLetterOrDigit(text[start - 1]))
                return start;
            start++;
        }
        return -1;
    }

    // Never cut a surrogate pair in half.
    private static int SafeIndex(string text, int index) =>
        index > 0 && index < text.Length && char.IsLowSurrogate(text[index]) ? index - 1 : index;
}
