using KernelDigest.Core.Search;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace KernelDigest.Core.Tests.Search;

/// <summary>
/// The term-at-a-time scorer must rank exactly as Lucene's own searcher would for the same query tree: the same
/// entries, the same BM25 scores (DisjunctionMax tie-breaks, coord, boosts at every level), with and without a filter.
/// </summary>
public sealed class ConceptScoringTests(LibraryFixture fixture) : IClassFixture<LibraryFixture>
{
    public static TheoryData<string> Queries() =>
    [
        "TDP MMU", "bus lock", "page fault handling", "RWF_NOAPPEND", "KVM_BUG_ON", "fchmod", "hypervsor", "TDP MUU",
        "Lendacky", "总线锁", "虚拟机热迁移", "KVM 影子页表", "透传 FUSE", "zoned block device", "support for the",
    ];

    [Theory]
    [MemberData(nameof(Queries))]
    public void ScoresEveryEntryAsLuceneDoes(string text)
    {
        var (index, searcher, root) = Setup(text);
        var expected = searcher.Search(root, index.Reader.MaxDoc).ScoreDocs;
        var actual = ConceptScoring.Top(searcher, root, null, index.Reader.MaxDoc, Identity(index.Reader.MaxDoc));
        AssertSame(expected, actual);
    }

    [Theory]
    [InlineData("补丁", "virtualization")]
    [InlineData("device", "filesystems")]
    [InlineData("中断", "architecture")]
    public void WithAFilter_ScoresOnlyWhatTheFilterAccepts(string text, string subsystem)
    {
        var (index, searcher, root) = Setup(text);
        var filter = new QueryWrapperFilter(new TermQuery(new Term(PatchIndex.Fields.Subsystem, subsystem)));
        var expected = searcher.Search(new FilteredQuery(root, filter), index.Reader.MaxDoc).ScoreDocs;
        var actual = ConceptScoring.Top(searcher, root, ConceptScoring.Accepted(index.Reader, filter), index.Reader.MaxDoc, Identity(index.Reader.MaxDoc));
        Assert.True(expected.Length < searcher.Search(root, index.Reader.MaxDoc).ScoreDocs.Length, "the filter should leave some matches out");
        AssertSame(expected, actual);
    }

    [Fact]
    public void KeepsTheBestWhenAskedForFewer()
    {
        var (index, searcher, root) = Setup("KVM");
        var all = ConceptScoring.Top(searcher, root, null, index.Reader.MaxDoc, Identity(index.Reader.MaxDoc));
        var three = ConceptScoring.Top(searcher, root, null, 3, Identity(index.Reader.MaxDoc));
        Assert.True(all.Count > 3);
        Assert.Equal(all.Take(3), three);
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public void Pruning_the_dense_concept_keeps_the_same_best_entries_and_scores(string text)
    {
        var (index, searcher, root) = Setup(text);
        var order = Identity(index.Reader.MaxDoc);
        var all = ConceptScoring.Top(searcher, root, null, index.Reader.MaxDoc, order);
        foreach (var count in new[] { 1, 2, 3, 5 })
        {
            var bounds = new ConceptScoring.MaxScores();
            Assert.Equal(all.Take(count), ConceptScoring.Top(searcher, root, null, count, order, bounds));
            // Asked again, with the bounds now known.
            Assert.Equal(all.Take(count), ConceptScoring.Top(searcher, root, null, count, order, bounds));
        }
    }

    /// <summary>
    /// Pruning needs a corpus where one concept is in most entries and another in few, at more entries than the bundled
    /// month has: 3,000 random documents of words of very different frequencies, queried as the concepts are built
    /// (a coord sum of DisjunctionMax groups over two fields, boosts at every level), against Lucene's own searcher.
    /// </summary>
    [Fact]
    public void Pruning_on_a_large_corpus_returns_what_Lucenes_searcher_returns()
    {
        var random = new Random(20261130);
        string[] words = ["common", "often", "some", "rare", "scarce", "single"];
        double[] share = [0.9, 0.6, 0.25, 0.04, 0.01, 0.002];
        using var directory = new Lucene.Net.Store.RAMDirectory();
        var similarity = new PatchIndex.CoordinatedBm25();
        using (var writer = new IndexWriter(directory, new IndexWriterConfig(Lucene.Net.Util.LuceneVersion.LUCENE_48,
            new Lucene.Net.Analysis.Core.WhitespaceAnalyzer(Lucene.Net.Util.LuceneVersion.LUCENE_48)) { Similarity = similarity }))
        {
            for (var d = 0; d < 3_000; d++)
            {
                string Text() => string.Join(' ', Enumerable.Range(0, random.Next(1, 30)).Select(_ =>
                    random.NextDouble() < 0.5 ? "filler" + random.Next(50) : words.Where((_, i) => random.NextDouble() < share[i]).FirstOrDefault("filler")));
                writer.AddDocument([new Lucene.Net.Documents.TextField("a", Text(), Lucene.Net.Documents.Field.Store.NO),
                    new Lucene.Net.Documents.TextField("b", Text(), Lucene.Net.Documents.Field.Store.NO)]);
            }
        }
        using var reader = DirectoryReader.Open(directory);
        var searcher = new IndexSearcher(reader) { Similarity = similarity };
        var order = Identity(reader.MaxDoc);
        var bounds = new ConceptScoring.MaxScores();
        for (var q = 0; q < 200; q++)
        {
            var root = new BooleanQuery(disableCoord: false) { Boost = 1 + random.Next(3) };
            foreach (var word in words.OrderBy(_ => random.Next()).Take(random.Next(2, 4)))
            {
                var concept = new DisjunctionMaxQuery(random.Next(3) * 0.1f);
                concept.Add(new TermQuery(new Term("a", word)) { Boost = 1 + (float)random.NextDouble() });
                concept.Add(new TermQuery(new Term("b", word)) { Boost = 1 + (float)random.NextDouble() });
                root.Add(concept, Occur.SHOULD);
            }
            var count = new[] { 1, 5, 20, 100 }[random.Next(4)];
            // Every other query under a filter of a random half of the documents (a filter does not change scores).
            FixedBitSet? filter = null;
            if (q % 2 == 1)
            {
                filter = new FixedBitSet(reader.MaxDoc);
                for (var d = 0; d < reader.MaxDoc; d++)
                {
                    if (random.Next(2) == 0)
                        filter.Set(d);
                }
            }
            var expected = searcher.Search(root, reader.MaxDoc).ScoreDocs.Where(d => filter?.Get(d.Doc) ?? true).ToArray();
            var actual = ConceptScoring.Top(searcher, root, filter, count, order, bounds);
            AssertSame(expected.Take(count).ToArray(), actual, root.ToString());
        }
        Assert.True(bounds.Pruned >= 20, $"only {bounds.Pruned} of 200 searches were pruned: the test does not exercise it");
    }

    private (PatchIndex Index, IndexSearcher Searcher, Query Root) Setup(string text)
    {
        var index = fixture.Index;
        var searcher = new IndexSearcher(index.Reader) { Similarity = new PatchIndex.CoordinatedBm25() };
        return (index, searcher, index.RootQuery(index.Concepts(text, fuzzy: true)));
    }

    private static int[] Identity(int size) => [.. Enumerable.Range(0, size)];

    private static void AssertSame(ScoreDoc[] expected, List<(int Doc, float Score)> actual, string? query = null)
    {
        Assert.NotEmpty(expected);
        Assert.True(expected.Select(d => d.Doc).Order().SequenceEqual(actual.Select(a => a.Doc).Order()),
            $"{query}: Lucene {string.Join(' ', expected.Select(d => d.Doc))}, ours {string.Join(' ', actual.Select(a => a.Doc))}");
        var scores = expected.ToDictionary(d => d.Doc, d => d.Score);
        foreach (var (doc, score) in actual)
            Assert.Equal(scores[doc], score, scores[doc] * 1e-5f);
        Assert.Equal(actual.OrderByDescending(a => a.Score).ThenBy(a => a.Doc), actual);
    }
}
