using System.Buffers;
using KernelDigest.Core.Reports;
using YamlDotNet.Serialization;

namespace KernelDigest.Core.Search;

/// <summary>One glossary row: Chinese and English names of the same kernel term.</summary>
public sealed record GlossaryTerm(IReadOnlyList<string> Zh, IReadOnlyList<string> En);

/// <summary>
/// The zh↔en glossary of kernel terms (<c>config/glossary.yaml</c>). Search uses it to let an English query find an
/// entry written only in Chinese and the reverse: each entry is indexed with the counterparts of the terms it contains.
/// </summary>
public sealed class Glossary
{
    private readonly Names _zh;
    private readonly Names _en;
    private readonly int _distinctTerms;

    public Glossary(IEnumerable<GlossaryTerm> terms)
    {
        Terms = [.. terms];
        // Terms by number, for what FindIn has already reported; equal rows count as one term.
        var number = new Dictionary<GlossaryTerm, int>();
        foreach (var term in Terms)
            number.TryAdd(term, number.Count);
        _distinctTerms = number.Count;
        _zh = new Names(Terms.SelectMany(t => t.Zh.Select(z => (z, t))), number, StringComparison.Ordinal);
        _en = new Names(Terms.SelectMany(t => t.En.Select(e => (e.ToLowerInvariant(), t))), number, StringComparison.OrdinalIgnoreCase);
    }

    public IReadOnlyList<GlossaryTerm> Terms { get; }

    public static Glossary Empty { get; } = new([]);

    /// <summary>The glossary terms whose Chinese or English name occurs in <paramref name="text"/> (English on word boundaries).</summary>
    public IEnumerable<(string Found, GlossaryTerm Term, bool IsChinese)> FindIn(string text)
    {
        // Every entry is looked up at each index build: one pass finds the names that occur at all, and only those are
        // then taken in the order below, instead of one scan of the text per name (there are hundreds).
        var seen = new bool[_distinctTerms];
        if (TextUtil.HasCjk(text))
        {
            var occurring = _zh.In(text);
            for (var i = 0; i < occurring.Length; i++)
            {
                var (zh, term, number) = _zh.All[i];
                if (occurring[i] && !seen[number])
                {
                    seen[number] = true;
                    yield return (zh, term, true);
                }
            }
        }
        var english = _en.In(text);
        for (var i = 0; i < english.Length; i++)
        {
            var (en, term, number) = _en.All[i];
            if (english[i] && !seen[number] && ContainsWord(text, en))
            {
                seen[number] = true;
                yield return (en, term, false);
            }
        }
    }

    /// <summary>
    /// One language's names, longest first, each with its term and the term's number. <see cref="In"/> finds those in a
    /// text in one pass: <see cref="SearchValues{T}"/> finds each place where some name starts, and the names that begin
    /// with that character (in the comparison's casing) are tried there.
    /// </summary>
    private sealed class Names
    {
        private readonly SearchValues<string> _any;
        private readonly Dictionary<char, int[]> _byFirst;
        private readonly StringComparison _comparison;

        public Names(IEnumerable<(string Name, GlossaryTerm Term)> names, Dictionary<GlossaryTerm, int> number, StringComparison comparison)
        {
            _comparison = comparison;
            // An empty name would be in every text, and a scan for it would never move on: such a row names nothing.
            All = [.. names.Where(n => n.Name.Length > 0).OrderByDescending(n => n.Name.Length).Select(n => (n.Name, n.Term, number[n.Term]))];
            _any = SearchValues.Create([.. All.Select(n => n.Name).Distinct(StringComparer.FromComparison(comparison))], comparison);
            _byFirst = Enumerable.Range(0, All.Length).GroupBy(i => Key(All[i].Name[0])).ToDictionary(g => g.Key, g => g.ToArray());
        }

        public (string Name, GlossaryTerm Term, int Number)[] All { get; }

        // OrdinalIgnoreCase compares as if both were upper-cased with the invariant culture's rules.
        private char Key(char c) => _comparison == StringComparison.OrdinalIgnoreCase ? char.ToUpperInvariant(c) : c;

        /// <summary>Which of the names occur anywhere in <paramref name="text"/>, by their place in <see cref="All"/>.</summary>
        public bool[] In(string text)
        {
            var found = new bool[All.Length];
            var span = text.AsSpan();
            for (var at = span.IndexOfAny(_any); at >= 0;)
            {
                if (_byFirst.TryGetValue(Key(span[at]), out var candidates))
                {
                    foreach (var i in candidates)
                        found[i] |= span[at..].StartsWith(All[i].Name, _comparison);
                }
                var next = span[(at + 1)..].IndexOfAny(_any);
                at = next < 0 ? -1 : at + 1 + next;
            }
            return found;
        }
    }

    /// <summary>Cuts a run of Chinese text into glossary terms (longest first) and the pieces between them.</summary>
    public IEnumerable<(string Text, GlossaryTerm? Term)> Segment(string cjkRun)
    {
        var i = 0;
        var pending = 0;
        while (i < cjkRun.Length)
        {
            var match = _zh.All.FirstOrDefault(p => string.CompareOrdinal(cjkRun, i, p.Name, 0, p.Name.Length) == 0 && i + p.Name.Length <= cjkRun.Length);
            if (match.Term is null)
            {
                i++;
                continue;
            }
            if (i > pending)
                yield return (cjkRun[pending..i], null);
            yield return (match.Name, match.Term);
            i += match.Name.Length;
            pending = i;
        }
        if (pending < cjkRun.Length)
            yield return (cjkRun[pending..], null);
    }

    /// <summary>The terms whose English name is exactly this phrase (lower case, single spaces).</summary>
    public IEnumerable<GlossaryTerm> FindEnglish(string phrase) =>
        _en.All.Where(p => p.Name.Equals(phrase, StringComparison.OrdinalIgnoreCase)).Select(p => p.Term);

    /// <summary>The longest number of words in any English name: how far a query phrase match must look ahead.</summary>
    public int MaxEnglishWords => _en.All.Length == 0 ? 0 : _en.All.Max(p => p.Name.Count(c => c == ' ') + 1);

    internal static bool ContainsWord(string text, string word)
    {
        var start = 0;
        while ((start = text.IndexOf(word, start, StringComparison.OrdinalIgnoreCase)) >= 0)
        {
            var end = start + word.Length;
            if ((start == 0 || !char.IsAsciiLetterOrDigit(text[start - 1])) && (end >= text.Length || !char.IsAsciiLetterOrDigit(text[end])))
                return true;
            start = end;
        }
        return false;
    }


    /// <summary>Loads <c>terms: [{zh: ..., en: ...}]</c>, where zh and en are a string or a list.</summary>
    public static Glossary Load(string path)
    {
        var file = new DeserializerBuilder().Build().Deserialize<GlossaryFile>(File.ReadAllText(path)) ?? new GlossaryFile();
        var terms = new List<GlossaryTerm>();
        foreach (var row in file.Terms)
        {
            var zh = Strings(row.Zh);
            var en = Strings(row.En);
            if (zh.Count > 0 && en.Count > 0)
                terms.Add(new GlossaryTerm(zh, en));
        }
        return new Glossary(terms);
    }

    private static List<string> Strings(object? value) => value switch
    {
        string s => s.Trim() is { Length: > 0 } name ? [name] : [],
        IEnumerable<object> list => [.. list.Select(o => o?.ToString()?.Trim() ?? "").Where(s => s.Length > 0)],
        _ => [],
    };

    private sealed class GlossaryFile
    {
        [YamlMember(Alias = "terms")]
        public List<GlossaryRow> Terms { get; set; } = [];
    }

    private sealed class GlossaryRow
    {
        [YamlMember(Alias = "zh")]
        public object? Zh { get; set; }

        [YamlMember(Alias = "en")]
        public object? En { get; set; }
    }
}
