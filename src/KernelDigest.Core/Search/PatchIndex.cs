using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using KernelDigest.Core.Reports;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Util;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Util;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace KernelDigest.Core.Search;

/// <summary>
/// The Lucene index over every entry of a <see cref="LibrarySnapshot"/>, and the query builder that serves
/// <c>/patch</c>: BM25 with title, keywords and authors weighted over summaries; identifiers whole and by parts;
/// prefixes; fuzzy fallback for unknown words; Chinese via SmartCn; zh↔en via glossary counterparts indexed per entry.
/// </summary>
public sealed partial class PatchIndex : IDisposable
{
    internal static class Fields
    {
        public const string Ord = "ord";
        public const string Month = "month";
        public const string Subsystem = "subsystem";
        public const string TitleId = "title_id";
        public const string TitleZh = "title_zh";

        /// <summary>Authors and keywords: short, exact, weighted almost like the title.</summary>
        public const string MetaId = "meta_id";

        /// <summary>Summary, changelog, section heading and the entry's glossary counterparts, as one body.</summary>
        public const string BodyId = "body_id";
        public const string BodyZh = "body_zh";
        public const string Prefix = "prefix";

        /// <summary>
        /// Every name (zh and en, lower case) of each glossary term an entry mentions in either language, one keyword
        /// per name: a cross-language match is then one term lookup, not a phrase over the whole body.
        /// </summary>
        public const string Gloss = "gloss";
        public const string PrefixBody = "prefix_body";
    }

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

    private readonly LuceneDirectory _directory;
    private readonly DirectoryReader _reader;
    private readonly IndexSearcher _searcher;
    private readonly int[] _docToOrd;
    private readonly IReadOnlyList<(Report Report, ReportSection Section, ReportEntry Entry)> _entries;
    private readonly CharArraySet _dictionary;
    private readonly Glossary _glossary;
    private readonly int _maxGlossaryWords;

    internal PatchIndex(LuceneDirectory directory, IReadOnlyList<(Report, ReportSection, ReportEntry)> entries, CharArraySet dictionary, Glossary glossary)
    {
        _directory = directory;
        _entries = entries;
        _glossary = glossary;
        _maxGlossaryWords = glossary.MaxEnglishWords;
        _dictionary = dictionary;
        _reader = DirectoryReader.Open(directory);
        _lookup = new ThreadLocal<TermLookup>(() => new TermLookup(_reader));
        _searcher = new IndexSearcher(_reader) { Similarity = new CoordinatedBm25() };
        _docToOrd = new int[_reader.MaxDoc];
        var ords = MultiDocValues.GetNumericValues(_reader, Fields.Ord);
        for (var doc = 0; doc < _docToOrd.Length; doc++)
            _docToOrd[doc] = (int)(ords?.Get(doc) ?? doc);
    }

    /// <summary>The index itself, for tests and the benchmarks' explain mode.</summary>
    internal DirectoryReader Reader => _reader;

    /// <summary>How many entries are indexed.</summary>
    public int Count => _entries.Count;

    /// <summary>
    /// Runs a query and returns hits <paramref name="skip"/> to <paramref name="skip"/>+<paramref name="take"/>, best first
    /// (equal scores: newer month first). A query of filters only lists the matching entries, newest first.
    /// </summary>
    public SearchResults Search(PatchQuery query, int skip = 0, int take = 5)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(take);
        var filter = FilterFor(query);
        // Typos are a fallback: fuzzy matching costs more than the rest of a search, so it runs only when a word the
        // index does not know leaves fewer results than a page.
        var concepts = Concepts(query.Text, fuzzy: false);
        if (concepts.Count == 0)
            return ListFiltered(filter, skip, take);
        var results = Run(concepts, filter, skip, take);
        if (results.Total < skip + take && concepts.Any(c => c.Unknown))
            results = Run(Concepts(query.Text, fuzzy: true), filter, skip, take);
        return results;
    }

    private SearchResults Run(List<Concept> concepts, FixedBitSet? filter, int skip, int take)
    {
        var root = RootQuery(concepts);
        var top = ConceptScoring.Top(_searcher, root, filter, Math.Max(skip + take, MaxResults), _docToOrd);
        if (top.Count == 0)
            return new SearchResults([], 0);
        // Results far below the best one matched on a stray word part; they are noise to a reader.
        var floor = top[0].Score * RelativeScoreFloor;
        var relevant = top.TakeWhile(d => d.Score >= floor).ToList();
        var hits = relevant.Skip(skip).Take(take).Select(d => Hit(_docToOrd[d.Doc], d.Score, concepts)).ToList();
        return new SearchResults(hits, relevant.Count);
    }

    /// <summary>
    /// The whole search as one Lucene query: the concepts as SHOULD clauses with coord (an entry matching more of them
    /// ranks higher), plus Latin words standing together in a title.
    /// </summary>
    internal BooleanQuery RootQuery(IReadOnlyList<Concept> concepts)
    {
        var root = new BooleanQuery(disableCoord: false);
        foreach (var concept in concepts)
            root.Add(concept.Query, Occur.SHOULD);
        var latin = concepts.Where(c => c.Latin is not null).Select(c => c.Latin!).ToList();
        if (latin.Count >= 2 && latin.All(w => DocFreq(Fields.TitleId, w) > 0))
        {
            // Words typed together that stand together in a title rank first ("TDP MMU").
            var phrase = new PhraseQuery { Slop = 1, Boost = 2f };
            foreach (var word in latin)
                phrase.Add(new Term(Fields.TitleId, word));
            root.Add(phrase, Occur.SHOULD);
        }
        return root;
    }

    /// <summary>The most results a query can page through.</summary>
    public const int MaxResults = 100;

    /// <summary>A hit scoring below this share of the best hit is dropped.</summary>
    internal const float RelativeScoreFloor = 0.1f;

    private SearchResults ListFiltered(FixedBitSet? filter, int skip, int take)
    {
        var ords = new List<int>();
        if (filter is null)
            ords.AddRange(Enumerable.Range(0, _entries.Count));
        else
        {
            for (var doc = filter.NextSetBit(0); doc >= 0; doc = doc + 1 < filter.Length ? filter.NextSetBit(doc + 1) : -1)
                ords.Add(_docToOrd[doc]);
            ords.Sort();
        }
        return new SearchResults([.. ords.Skip(skip).Take(take).Select(o => Hit(o, 0f, []))], ords.Count);
    }

    private SearchHit Hit(int ord, float score, IReadOnlyList<Concept> concepts)
    {
        var (report, section, entry) = _entries[ord];
        return new SearchHit(report, section, entry, score, Snippets.Make(entry, concepts.SelectMany(c => c.Surfaces)));
    }

    /// <summary>The entries a query's filters allow, or null for all.</summary>
    private FixedBitSet? FilterFor(PatchQuery query)
    {
        if (!query.HasFilters)
            return null;
        var all = new BooleanQuery();
        if (query.Subsystem is { } s)
            all.Add(new TermQuery(new Term(Fields.Subsystem, s.Key)), Occur.MUST);
        if (query.Month is { } m)
            all.Add(new TermQuery(new Term(Fields.Month, m.ToString())), Occur.MUST);
        return ConceptScoring.Accepted(_reader, new QueryWrapperFilter(all));
    }

    // ------------------------------------------------------------------ query building

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

    // One set of term enumerators per thread: creating one per lookup costs more than the lookup itself.
    private readonly ThreadLocal<TermLookup> _lookup;

    /// <summary>Seeks terms with a reused enumerator per field (the index is one segment, see PatchIndexFactory).</summary>
    private sealed class TermLookup(DirectoryReader reader)
    {
        private readonly Dictionary<string, TermsEnum?> _enums = new(StringComparer.Ordinal);

        public (Term Term, TermContext? Context) Find(string field, string text)
        {
            var term = new Term(field, text);
            if (reader.Leaves.Count != 1)
            {
                var built = TermContext.Build(reader.Context, term);
                return (term, built.DocFreq == 0 ? null : built);
            }
            var leaf = reader.Leaves[0];
            if (!_enums.TryGetValue(field, out var terms))
                _enums[field] = terms = leaf.AtomicReader.GetTerms(field)?.GetEnumerator();
            if (terms is null || !terms.SeekExact(term.Bytes))
                return (term, null);
            return (term, new TermContext(reader.Context, terms.GetTermState(), leaf.Ord, terms.DocFreq, terms.TotalTermFreq));
        }

        /// <summary>The field's words that start with <paramref name="prefix"/>, in order (their own enumerator).</summary>
        public IEnumerable<string> StartingWith(string field, string prefix)
        {
            var start = new BytesRef(prefix);
            foreach (var leaf in reader.Leaves)
            {
                var terms = leaf.AtomicReader.GetTerms(field)?.GetEnumerator();
                if (terms is null || terms.SeekCeil(start) == TermsEnum.SeekStatus.END)
                    continue;
                do
                {
                    if (!StringHelper.StartsWith(terms.Term, start))
                        break;
                    yield return terms.Term.Utf8ToString();
                }
                while (terms.MoveNext());
            }
        }
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

    public void Dispose()
    {
        _lookup.Dispose();
        _reader.Dispose();
        _directory.Dispose();
    }

    /// <summary>
    /// BM25 with Lucene's classic coordination factor: an entry that matches more of the query's concepts ranks above
    /// one that matches a single concept very often.
    /// </summary>
    internal sealed class CoordinatedBm25 : BM25Similarity
    {
        public override float Coord(int overlap, int maxOverlap) => maxOverlap == 0 ? 1f : (float)overlap / maxOverlap;

        public float IdfOf(long docFreq, long docCount) => Idf(docFreq, docCount);
    }

    internal static string OrdText(int ord) => ord.ToString(CultureInfo.InvariantCulture);
}
