using System.Globalization;
using KernelDigest.Core.Reports;
using Lucene.Net.Analysis.Util;
using Lucene.Net.Index;
using Lucene.Net.Search;
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
    private readonly LuceneDirectory _directory;
    private readonly DirectoryReader _reader;
    private readonly IndexSearcher _searcher;
    private readonly int[] _docToOrd;
    private readonly IReadOnlyList<(Report Report, ReportSection Section, ReportEntry Entry)> _entries;
    private readonly CharArraySet _dictionary;
    private readonly Glossary _glossary;
    private readonly int _maxGlossaryWords;
    private readonly ConceptScoring.MaxScores _maxScores = new();

    // One set of term enumerators per thread: creating one per lookup costs more than the lookup itself.
    private readonly ThreadLocal<TermLookup> _lookup;

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

    /// <summary>MaxScore pruning (see <see cref="ConceptScoring"/>); off only to measure what it saves.</summary>
    internal bool Pruning { get; set; } = true;

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
        var top = ConceptScoring.Top(_searcher, root, filter, Math.Max(skip + take, MaxResults), _docToOrd, Pruning ? _maxScores : null);
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

    public void Dispose()
    {
        _lookup.Dispose();
        _reader.Dispose();
        _directory.Dispose();
    }

    internal static string OrdText(int ord) => ord.ToString(CultureInfo.InvariantCulture);
}
