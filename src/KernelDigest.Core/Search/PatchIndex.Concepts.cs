using System.Text;
using System.Text.RegularExpressions;
using KernelDigest.Core.Reports;
using Lucene.Net.Index;
using Lucene.Net.Search;

namespace KernelDigest.Core.Search;

public sealed partial class PatchIndex
{
    // Field weights: what a match in each part of an entry is worth, relative to the body. Few fields on purpose: every
    // field is another clause per query word, and clause count is what a search costs.
    private static readonly (string Field, float Boost)[] IdFields =
    [
        (Fields.TitleId, 4f), (Fields.MetaId, 3f), (Fields.BodyId, 1f),
    ];

    private static readonly (string Field, float Boost)[] ZhFields =
    [
        (Fields.TitleZh, 4f), (Fields.BodyZh, 1f),
    ];

    private static readonly string[] FuzzyFields = [Fields.TitleId, Fields.MetaId, Fields.BodyId];

    /// <summary>A unit of meaning in the query: one word, identifier or glossary phrase, with its Lucene query.</summary>
    internal sealed record Concept(IReadOnlyList<Query> Variants, IReadOnlyList<string> Surfaces, string? Latin, bool Unknown = false)
    {
        /// <summary>The concept as one Lucene query, for nesting inside another (a glossary phrase's loose words).</summary>
        public Query Query => new DisjunctionMaxQuery([.. Variants], Tie);
    }

    /// <summary>What the other ways a concept matched add to its best one (DisjunctionMaxQuery's tie breaker).</summary>
    internal const float Tie = 0.1f;

    [GeneratedRegex(@"[A-Za-z0-9_\-]+|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")]
    private static partial Regex QueryChunks();

    internal List<Concept> Concepts(string text, bool fuzzy = true)
    {
        var normalized = text.Normalize(NormalizationForm.FormKC);
        var chunks = QueryChunks().Matches(normalized).Select(m => m.Value.Trim('-', '_')).Where(c => c.Length > 0).ToList();
        var concepts = new List<Concept>();
        for (var i = 0; i < chunks.Count && concepts.Count < 16; i++)
        {
            var chunk = chunks[i];
            if (TextUtil.HasCjk(chunk))
            {
                foreach (var (piece, term) in _glossary.Segment(chunk))
                {
                    if (term is not null)
                    {
                        concepts.Add(ChineseConcept(piece, term.En, glossary: true));
                        continue;
                    }
                    var words = Analysis.Terms(Analysis.ChineseAnalyzer, Fields.BodyZh, piece);
                    // Single characters say little on their own ("的", "新"); keep them only when nothing else is there.
                    var meaningful = words.Where(w => w.Length > 1).ToList();
                    foreach (var word in meaningful.Count > 0 ? meaningful : words)
                        concepts.Add(ChineseConcept(word, []));
                }
                continue;
            }
            // The longest run of Latin words that is an English glossary term becomes one phrase concept ("bus lock").
            var matched = false;
            for (var n = Math.Min(_maxGlossaryWords, chunks.Count - i); n >= 2 && !matched; n--)
            {
                var run = chunks.Skip(i).Take(n).ToList();
                if (run.Any(w => TextUtil.HasCjk(w)))
                    continue;
                var phrase = string.Join(' ', run).ToLowerInvariant();
                var terms = _glossary.FindEnglish(phrase).ToList();
                if (terms.Count == 0)
                    continue;
                concepts.Add(EnglishPhraseConcept(run, terms.SelectMany(t => t.Zh).ToList()));
                i += n - 1;
                matched = true;
            }
            if (!matched)
                AddLatin(concepts, chunk, fuzzy);
        }
        if (concepts.Count == 0 && chunks.Count > 0)
        {
            // Every word was a stop word ("the", "of"): search for them anyway rather than answer nothing.
            foreach (var chunk in chunks.Where(c => !TextUtil.HasCjk(c)))
                concepts.Add(LatinConcept(chunk, ignoreStopWords: true, fuzzy));
        }
        return concepts;
    }

    private void AddLatin(List<Concept> concepts, string word, bool fuzzy)
    {
        if (Analysis.StopWords.Contains(word.ToLowerInvariant()))
            return;
        concepts.Add(LatinConcept(word, ignoreStopWords: false, fuzzy));
    }

    /// <param name="shortFieldsOnly">Match only titles, authors and keywords (not summaries): for the words of a
    /// glossary phrase on their own, which in a summary are too common to mean the phrase.</param>
    private Concept LatinConcept(string word, bool ignoreStopWords, bool fuzzy, bool shortFieldsOnly = false)
    {
        var original = word.ToLowerInvariant();
        var knownWhole = IdFields.Any(f => DocFreq(f.Field, original) > 0);
        // A long identifier the index knows whole (KVM_CAP_X86_BUS_LOCK_EXIT) is matched whole: its parts are common
        // words that would score thousands of entries for nothing.
        var parts = knownWhole && original.Count(c => c is '_' or '-') >= 2
            ? [original]
            : Analysis.Terms(Analysis.IdentifierParts, Fields.BodyId, word).Distinct().ToList();
        if (!knownWhole && !KnownWhole(original))
        {
            // A word the index does not know may be words typed together ("buslock" → bus + lock): it is split only
            // when the corpus's own words cover all of it. A partial cover is a typo's debris ("hypervsor" → "hyperv")
            // that would match thousands of entries; typos are the fuzzy fallback's business.
            foreach (var part in parts.ToList())
            {
                if (IdFields.All(f => DocFreq(f.Field, part) == 0) && WordBreak(part) is { } pieces)
                    parts.AddRange(pieces.Where(p => !parts.Contains(p) && !Analysis.StopWords.Contains(p)));
            }
        }
        if (ignoreStopWords && !parts.Contains(original))
            parts.Insert(0, original);
        var variants = new List<Query>();
        foreach (var (field, boost) in IdFields.Where(f => !shortFieldsOnly || f.Field != Fields.BodyId))
        {
            var perField = new BooleanQuery(disableCoord: true) { Boost = boost };
            foreach (var part in parts)
            {
                if (Term(field, part, part == original ? 1f : 0.35f) is { } q)
                    perField.Add(q, Occur.SHOULD);
            }
            if (perField.Clauses.Count > 0)
                variants.Add(perField);
        }
        if (original.All(char.IsAsciiLetter) && Analysis.Stem(original) is var stem && stem != original)
        {
            // SmartCn Porter-stems English in the *_zh fields: "IPIs" finds "IPI", "migrations" finds "migration".
            // An unchanged stem would only score again what the identifier fields already matched.
            foreach (var (field, boost) in ZhFields.Where(f => !shortFieldsOnly || f.Field != Fields.BodyZh))
                AddIfPresent(variants, Term(field, stem, boost * 0.6f));
        }
        if (original.Length is >= 3 and <= 24 && !knownWhole)
        {
            // A part of a word ("fchmod", "Lenda"): the edge n-grams find the words it starts.
            AddIfPresent(variants, Term(Fields.Prefix, original, 1.2f));
            if (!shortFieldsOnly)
                AddIfPresent(variants, Term(Fields.PrefixBody, original, 0.3f));
        }
        var unknown = original.Length >= 3 && !KnownAnywhere(original, parts);
        if (unknown && fuzzy)
        {
            // An unknown word is most likely a typo: let it match words one or two edits away ("MUU" → "MMU").
            foreach (var field in FuzzyFields)
                AddIfPresent(variants, Near(field, original));
        }
        // Highlight the word and its identifier parts (PAGE, SIZE), not the dictionary pieces ("end" of "noappend").
        var surfaces = word.Split(['_', '-'], StringSplitOptions.RemoveEmptyEntries).Where(p => p.Length >= 3).Prepend(word)
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return new Concept(variants, surfaces, original, unknown);
    }

    /// <summary>True when some entry has this word whole in an identifier field, or as the start of a title word, name or keyword.</summary>
    private bool KnownWhole(string original)
    {
        foreach (var (field, _) in IdFields)
        {
            if (DocFreq(field, original) > 0)
                return true;
        }
        return DocFreq(Fields.Prefix, original) > 0;
    }

    /// <summary>
    /// A term query for a term the index holds, or null. Terms no entry has are left out of the query (most (field,
    /// word part) pairs are such terms, and each would still cost a weight per search); the ones it has carry the
    /// term state found here, so the search does not look them up again.
    /// </summary>
    private TermQuery? Term(string field, string text, float boost)
    {
        var (term, context) = _lookup.Value!.Find(field, text);
        return context is null ? null : new TermQuery(term, context) { Boost = boost };
    }

    /// <summary>
    /// A glossary phrase the index holds as one token (Analysis.GlossaryPhrases), scored as the phrase query it stands
    /// for: BM25 weighs a phrase by the sum of its words' idf and a term by its own, so the boost carries the
    /// difference. Frequency and field length are the phrase's already (the whole token sits beside its words, and
    /// stacked tokens do not count towards the length).
    /// </summary>
    private TermQuery? WholePhrase(string field, string whole, IReadOnlyList<string> words, float boost)
    {
        var (term, context) = _lookup.Value!.Find(field, whole);
        if (context is null)
            return null;
        var similarity = (CoordinatedBm25)_searcher.Similarity;
        var phraseIdf = words.Sum(w => similarity.IdfOf(DocFreq(field, w), _reader.MaxDoc));
        return new TermQuery(term, context) { Boost = boost * phraseIdf / similarity.IdfOf(context.DocFreq, _reader.MaxDoc) };
    }

    private int DocFreq(string field, string text) => _lookup.Value!.Find(field, text).Context?.DocFreq ?? 0;

    private static void AddIfPresent(BooleanQuery query, Query? clause)
    {
        if (clause is not null)
            query.Add(clause, Occur.SHOULD);
    }

    private static void AddIfPresent(List<Query> queries, Query? query)
    {
        if (query is not null)
            queries.Add(query);
    }

    private bool KnownAnywhere(string original, List<string> parts)
    {
        if (KnownWhole(original))
            return true;
        // An identifier whose parts are all known (e.g. a new combination) is not a typo either.
        return parts.Count > 1 && parts.Where(p => p != original).All(p => DocFreq(Fields.BodyId, p) > 0);
    }

    private Concept EnglishPhraseConcept(List<string> words, List<string> zhCounterparts)
    {
        var variants = new List<Query>();
        var lower = words.Select(w => w.ToLowerInvariant()).ToList();
        // The glossary term in any language, anywhere in the entry; the phrase itself in the short fields, where the
        // index holds each glossary phrase of plain words as one token too (Analysis.GlossaryPhrases).
        var whole = string.Join(' ', lower);
        AddIfPresent(variants, Term(Fields.Gloss, whole, 2f));
        var indexedWhole = Analysis.IsIndexedWhole(lower);
        // Not the identifier body: it has no positions to match a phrase with (PatchIndexFactory.WithoutPositions).
        foreach (var (field, boost) in IdFields.Where(f => f.Field != Fields.BodyId))
        {
            if (indexedWhole)
            {
                AddIfPresent(variants, WholePhrase(field, whole, lower, boost * 1.2f));
                continue;
            }
            if (lower.Any(w => DocFreq(field, w) == 0))
                continue;
            var phrase = new PhraseQuery { Boost = boost * 1.2f };
            foreach (var w in lower)
                phrase.Add(new Term(field, w));
            variants.Add(phrase);
        }
        // The words on their own still count in titles, authors and keywords, less than the phrase. In summaries they
        // are too common to stand for it ("lock" is in a fifth of them), and matching them there cost half of a search.
        var loose = new BooleanQuery(disableCoord: false) { Boost = 0.5f };
        foreach (var w in words)
            loose.Add(LatinConcept(w, ignoreStopWords: true, fuzzy: false, shortFieldsOnly: true).Query, Occur.SHOULD);
        variants.Add(loose);
        return new Concept(variants, [string.Join(' ', words), .. zhCounterparts], null);
    }

    private Concept ChineseConcept(string word, IReadOnlyList<string> enCounterparts, bool glossary = false)
    {
        var tokens = Analysis.Terms(Analysis.ChineseAnalyzer, Fields.BodyZh, word);
        var variants = new List<Query>();
        if (glossary)
            AddIfPresent(variants, Term(Fields.Gloss, word, 2f)); // entries that say it in English too
        if (tokens.Count > 0)
        {
            foreach (var (field, boost) in ZhFields)
            {
                if (tokens.Count == 1)
                {
                    AddIfPresent(variants, Term(field, tokens[0], boost));
                    continue;
                }
                if (glossary)
                {
                    // Indexed whole as well as in SmartCn's pieces (Analysis.GlossaryPhrases): one term, no phrase.
                    AddIfPresent(variants, WholePhrase(field, word, tokens, boost));
                    continue;
                }
                if (tokens.Any(t => DocFreq(field, t) == 0))
                    continue; // a phrase with a word the field never has cannot match
                var phrase = new PhraseQuery { Boost = boost };
                foreach (var t in tokens)
                    phrase.Add(new Term(field, t));
                variants.Add(phrase);
            }
        }
        return new Concept(variants, [word, .. enCounterparts], null);
    }
}
