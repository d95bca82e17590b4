using KernelDigest.Core.Search;
using Lucene.Net.Index;
using Lucene.Net.Search;

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

    private (PatchIndex Index, IndexSearcher Searcher, Query Root) Setup(string text)
    {
        var index = fixture.Index;
        var searcher = new IndexSearcher(index.Reader) { Similarity = new PatchIndex.CoordinatedBm25() };
        return (index, searcher, index.RootQuery(index.Concepts(text, fuzzy: true)));
    }

    private static int[] Identity(int size) => [.. Enumerable.Range(0, size)];

    private static void AssertSame(ScoreDoc[] expected, List<(int Doc, float Score)> actual)
    {
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Select(d => d.Doc).Order(), actual.Select(a => a.Doc).Order());
        var scores = expected.ToDictionary(d => d.Doc, d => d.Score);
        foreach (var (doc, score) in actual)
            Assert.Equal(scores[doc], score, scores[doc] * 1e-5f);
        Assert.Equal(actual.OrderByDescending(a => a.Score).ThenBy(a => a.Doc), actual);
    }
}
