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
    private readonly (string Zh, GlossaryTerm Term)[] _zhLongestFirst;
    private readonly (string En, GlossaryTerm Term)[] _enLongestFirst;
    private readonly Names _zhNames;
    private readonly Names _enNames;

    public Glossary(IEnumerable<GlossaryTerm> terms)
    {
        Terms = [.. terms];
        _zhLongestFirst = [.. Terms.SelectMany(t => t.Zh.Select(z => (z, t))).OrderByDescending(p => p.z.Length)];
        _enLongestFirst = [.. Terms.SelectMany(t => t.En.Select(e => (e.ToLowerInvariant(), t))).OrderByDescending(p => p.Item1.Length)];
        var number = Terms.Select((t, i) => (t, i)).ToDictionary(p => (object)p.t, p => p.i, ReferenceEqualityComparer.Instance);
        _zhNames = new Names([.. _zhLongestFirst.Select(p => (p.Zh, number[p.Term]))], StringComparison.Ordinal);
        _enNames = new Names([.. _enLongestFirst.Select(p => (p.En, number[p.Term]))], StringComparison.OrdinalIgnoreCase);
    }

    public IReadOnlyList<GlossaryTerm> Terms { get; }

    public static Glossary Empty { get; } = new([]);

    /// <summary>The glossary terms whose Chinese or English name occurs in <paramref name="text"/> (English on word boundaries).</summary>
    public IEnumerable<(string Found, GlossaryTerm Term, bool IsChinese)> FindIn(string text)
    {
        // Every entry is looked up at each index build: one pass finds the names that occur at all, and only those are
        // then taken in the order below, instead of one scan of the text per name (there are hundreds).
        var seen = new bool[Terms.Count];
        if (TextUtil.HasCjk(text))
        {
            var occurring = _zhNames.In(text);
            for (var i = 0; i < occurring.Length; i++)
            {
                if (occurring[i] && !seen[_zhNames.Term(i)])
                {
                    seen[_zhNames.Term(i)] = true;
                    yield return (_zhLongestFirst[i].Zh, _zhLongestFirst[i].Term, true);
                }
            }
        }
        var english = _enNames.In(text);
        for (var i = 0; i < english.Length; i++)
        {
            var (en, term) = _enLongestFirst[i];
            if (english[i] && !seen[_enNames.Term(i)] && ContainsWord(text, en))
            {
                seen[_enNames.Term(i)] = true;
                yield return (en, term, false);
            }
        }
    }

    /// <summary>
    /// Names (each with its term's number) to find in a text in one pass: <see cref="SearchValues{T}"/> finds each place
    /// where some name starts, and the names that begin with that character (in the comparison's casing) are tried there.
    /// </summary>
    private sealed class Names
    {
        private readonly (string Name, int Term)[] _names;
        private readonly SearchValues<string> _any;
        private readonly Dictionary<char, int[]> _byFirst;
        private readonly StringComparison _comparison;

        public Names((string Name, int Term)[] names, StringComparison comparison)
        {
            _names = names;
            _comparison = comparison;
            _any = SearchValues.Create([.. names.Select(n => n.Name).Where(n => n.Length > 0).Distinct(StringComparer.FromComparison(comparison))], comparison);
            _byFirst = Enumerable.Range(0, names.Length).Where(i => names[i].Name.Length > 0)
                .GroupBy(i => Key(names[i].Name[0])).ToDictionary(g => g.Key, g => g.ToArray());
        }

        public int Term(int name) => _names[name].Term;

        // OrdinalIgnoreCase compares as if both were upper-cased with the invariant culture's rules.
        private char Key(char c) => _comparison == StringComparison.OrdinalIgnoreCase ? char.ToUpperInvariant(c) : c;

        /// <summary>Which of the names occur anywhere in <paramref name="text"/>, by their place in the list.</summary>
        public bool[] In(string text)
        {
            var found = new bool[_names.Length];
            var span = text.AsSpan();
            for (var at = span.IndexOfAny(_any); at >= 0;)
            {
                if (_byFirst.TryGetValue(Key(span[at]), out var candidates))
                {
                    foreach (var i in candidates)
                        found[i] |= span[at..].StartsWith(_names[i].Name, _comparison);
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
            var match = _zhLongestFirst.FirstOrDefault(p => string.CompareOrdinal(cjkRun, i, p.Zh, 0, p.Zh.Length) == 0 && i + p.Zh.Length <= cjkRun.Length);
            if (match.Term is null)
            {
                i++;
                continue;
            }
            if (i > pending)
                yield return (cjkRun[pending..i], null);
            yield return (match.Zh, match.Term);
            i += match.Zh.Length;
            pending = i;
        }
        if (pending < cjkRun.Length)
            yield return (cjkRun[pending..], null);
    }

    /// <summary>The terms whose English name is exactly this phrase (lower case, single spaces).</summary>
    public IEnumerable<GlossaryTerm> FindEnglish(string phrase) =>
        _enLongestFirst.Where(p => p.En.Equals(phrase, StringComparison.OrdinalIgnoreCase)).Select(p => p.Term);

    /// <summary>The longest number of words in any English name: how far a query phrase match must look ahead.</summary>
    public int MaxEnglishWords => _enLongestFirst.Length == 0 ? 0 : _enLongestFirst.Max(p => p.En.Count(c => c == ' ') + 1);

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
        string s => [s.Trim()],
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
