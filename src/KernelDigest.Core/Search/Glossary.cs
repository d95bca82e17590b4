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
        _zhNames = new Names(_zhLongestFirst.Select(p => p.Zh), StringComparison.Ordinal);
        _enNames = new Names(_enLongestFirst.Select(p => p.En), StringComparison.OrdinalIgnoreCase);
    }

    public IReadOnlyList<GlossaryTerm> Terms { get; }

    public static Glossary Empty { get; } = new([]);

    /// <summary>The glossary terms whose Chinese or English name occurs in <paramref name="text"/> (English on word boundaries).</summary>
    public IEnumerable<(string Found, GlossaryTerm Term, bool IsChinese)> FindIn(string text)
    {
        // Every entry is looked up at each index build: one pass finds the names that occur at all, and only those are
        // then taken in the order below, instead of one scan of the text per name (there are hundreds).
        var seen = new HashSet<GlossaryTerm>();
        if (TextUtil.HasCjk(text))
        {
            var occurring = _zhNames.In(text);
            foreach (var (zh, term) in _zhLongestFirst)
            {
                if (!seen.Contains(term) && occurring.Contains(zh))
                {
                    seen.Add(term);
                    yield return (zh, term, true);
                }
            }
        }
        var english = _enNames.In(text);
        foreach (var (en, term) in _enLongestFirst)
        {
            if (!seen.Contains(term) && english.Contains(en) && ContainsWord(text, en))
            {
                seen.Add(term);
                yield return (en, term, false);
            }
        }
    }

    /// <summary>
    /// A set of names found in a text in one pass: <see cref="SearchValues{T}"/> finds each place where some name starts,
    /// and the names that begin with that character (in the comparison's casing) are tried there.
    /// </summary>
    private sealed class Names
    {
        private readonly SearchValues<string> _any;
        private readonly Dictionary<char, string[]> _byFirst;
        private readonly StringComparison _comparison;

        public Names(IEnumerable<string> names, StringComparison comparison)
        {
            _comparison = comparison;
            string[] all = [.. names.Where(n => n.Length > 0).Distinct(StringComparer.FromComparison(comparison))];
            _any = SearchValues.Create(all, comparison);
            _byFirst = all.GroupBy(n => Key(n[0])).ToDictionary(g => g.Key, g => g.ToArray());
        }

        // OrdinalIgnoreCase compares as if both were upper-cased with the invariant culture's rules.
        private char Key(char c) => _comparison == StringComparison.OrdinalIgnoreCase ? char.ToUpperInvariant(c) : c;

        /// <summary>The names that occur anywhere in <paramref name="text"/>, as the names were given.</summary>
        public HashSet<string> In(string text)
        {
            var found = new HashSet<string>(StringComparer.Ordinal);
            var span = text.AsSpan();
            for (var at = span.IndexOfAny(_any); at >= 0;)
            {
                if (_byFirst.TryGetValue(Key(span[at]), out var candidates))
                {
                    foreach (var name in candidates)
                    {
                        if (span[at..].StartsWith(name, _comparison))
                            found.Add(name);
                    }
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
