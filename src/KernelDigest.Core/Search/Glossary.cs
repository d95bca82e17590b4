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

    public Glossary(IEnumerable<GlossaryTerm> terms)
    {
        Terms = [.. terms];
        _zhLongestFirst = [.. Terms.SelectMany(t => t.Zh.Select(z => (z, t))).OrderByDescending(p => p.z.Length)];
        _enLongestFirst = [.. Terms.SelectMany(t => t.En.Select(e => (e.ToLowerInvariant(), t))).OrderByDescending(p => p.Item1.Length)];
    }

    public IReadOnlyList<GlossaryTerm> Terms { get; }

    public static Glossary Empty { get; } = new([]);

    /// <summary>The glossary terms whose Chinese or English name occurs in <paramref name="text"/> (English on word boundaries).</summary>
    public IEnumerable<(string Found, GlossaryTerm Term, bool IsChinese)> FindIn(string text)
    {
        var seen = new HashSet<GlossaryTerm>();
        if (TextUtil.HasCjk(text))
        {
            foreach (var (zh, term) in _zhLongestFirst)
            {
                if (!seen.Contains(term) && text.Contains(zh, StringComparison.Ordinal))
                {
                    seen.Add(term);
                    yield return (zh, term, true);
                }
            }
        }
        foreach (var (en, term) in _enLongestFirst)
        {
            if (!seen.Contains(term) && ContainsWord(text, en))
            {
                seen.Add(term);
                yield return (en, term, false);
            }
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
