using KernelDigest.Core.Reports;
using KernelDigest.Core.Search;

namespace KernelDigest.Core.Tests.Search;

public sealed class PatchIndexTests(LibraryFixture fixture) : IClassFixture<LibraryFixture>
{
    private PatchIndex Index => fixture.Index;

    private PatchQuery Parse(string text)
    {
        var parsed = PatchQuery.Parse(text, fixture.Catalog);
        Assert.Null(parsed.Error);
        return Assert.IsType<PatchQuery>(parsed.Query);
    }

    private static string Key(SearchHit hit) => $"{hit.Report.Month}/{hit.Section.Subsystem}/{hit.Entry.Title}";

    // ---- snippets ------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("passthrough")]
    [InlineData("ZoneFS")]
    [InlineData("pwritev2")]
    [InlineData("PASID")]
    [InlineData("总线锁")]
    [InlineData("透传")]
    public void Snippet_HighlightsTheMatchedWord(string word)
    {
        var results = Index.Search(Parse(word));
        Assert.NotEmpty(results.Hits);
        var hit = results.Hits[0];
        Assert.False(hit.Snippet.IsEmpty, $"{word}: no snippet for {hit.Entry.Title}");
        Assert.Contains(hit.Snippet.Parts, p => p.Highlight && p.Text.Equals(word, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Snippet_HighlightsIdentifierMatchedCaseInsensitively()
    {
        var results = Index.Search(Parse("rwf_noappend"));
        Assert.NotEmpty(results.Hits);
        var hit = results.Hits[0];
        Assert.Contains(hit.Snippet.Parts, p => p.Highlight && p.Text == "RWF_NOAPPEND");
    }

    [Theory]
    [InlineData("虚拟机")]
    [InlineData("VM")]
    [InlineData("MMU")]
    public void Snippet_DoesNotHighlightTheTailOfAnotherWord(string query)
    {
        // 虚拟机 also highlights its English names ("VM"), which must not light up inside "KVM" or "SVM".
        var hits = Index.Search(Parse(query), 0, 100).Hits;
        Assert.NotEmpty(hits);
        foreach (var hit in hits)
        {
            var parts = hit.Snippet.Parts;
            for (var i = 1; i < parts.Count; i++)
            {
                if (parts[i].Highlight && char.IsAsciiLetterOrDigit(parts[i].Text[0]))
                {
                    var before = parts[i - 1].Text;
                    Assert.False(
                        before.Length > 0 && char.IsAsciiLetterOrDigit(before[^1]),
                        $"{hit.Entry.Title}: highlighted \"{parts[i].Text}\" right after \"{before}\"");
                }
            }
        }
    }

    // ---- paging --------------------------------------------------------------------------------------------------

    [Fact]
    public void Paging_ReturnsDisjointPagesWithStableTotal()
    {
        var query = Parse("虚拟机");
        var all = Index.Search(query, 0, 100);
        Assert.True(all.Total > 6, $"need more than two pages of 3, got {all.Total}");

        var seen = new List<string>();
        var totals = new HashSet<int>();
        for (var skip = 0; skip < all.Total; skip += 3)
        {
            var page = Index.Search(query, skip, 3);
            totals.Add(page.Total);
            Assert.InRange(page.Hits.Count, 1, 3);
            seen.AddRange(page.Hits.Select(Key));
        }
        Assert.Equal([all.Total], totals);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(all.Hits.Select(Key), seen);

        var beyond = Index.Search(query, all.Total, 3);
        Assert.Empty(beyond.Hits);
        Assert.Equal(all.Total, beyond.Total);
    }

    [Fact]
    public void Paging_RejectsNegativeSkipAndEmptyTake()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Index.Search(Parse("kvm"), -1, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Index.Search(Parse("kvm"), 0, 0));
    }

    // ---- filters -------------------------------------------------------------------------------------------------

    [Fact]
    public void FiltersOnly_ListsEverySectionEntryInReportOrder()
    {
        var results = Index.Search(Parse("subsystem:kvm"), 0, 100);
        var virt = fixture.Library.Current.Latest!.Sections.Single(s => s.Subsystem == "virtualization");
        Assert.Equal(8, results.Total);
        Assert.Equal(virt.Entries.Select(e => e.Title), results.Hits.Select(h => h.Entry.Title));
    }

    [Fact]
    public void FiltersOnly_ListsNewestMonthFirst()
    {
        // Two months of the same report: 2020-09 as shipped and a copy dated 2020-08.
        var folder = Directory.CreateTempSubdirectory("kd-months-").FullName;
        try
        {
            var source = Path.Combine(LibraryFixture.ReportsDirectory, "2020-09.md");
            File.Copy(source, Path.Combine(folder, "2020-09.md"));
            File.WriteAllText(Path.Combine(folder, "2020-08.md"), File.ReadAllText(source).Replace("month: 2020-09", "month: 2020-08", StringComparison.Ordinal));
            var catalog = LibraryFixture.LoadCatalog();
            var library = new ReportLibrary(folder, catalog, new PatchIndexFactory(LibraryFixture.LoadGlossary(), catalog));
            using var index = library.Current.Index;
            Assert.Empty(library.Current.Errors);

            var parsed = PatchQuery.Parse("subsystem:fs", catalog);
            var fs = index.Search(parsed.Query!, 0, 100);
            Assert.Equal(10, fs.Total);
            Assert.Equal(
                [.. Enumerable.Repeat("2020-09", 5), .. Enumerable.Repeat("2020-08", 5)],
                fs.Hits.Select(h => h.Report.Month.ToString()));

            var august = index.Search(PatchQuery.Parse("month:2020-08", catalog).Query!, 0, 100);
            Assert.Equal(15, august.Total);
            Assert.All(august.Hits, h => Assert.Equal("2020-08", h.Report.Month.ToString()));

            // A text query that ties across months puts the newer month first too.
            var fuse = index.Search(PatchQuery.Parse("fuse passthrough", catalog).Query!);
            Assert.Equal(["2020-09", "2020-08"], fuse.Hits.Take(2).Select(h => h.Report.Month.ToString()));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Filters_RestrictTextQueries()
    {
        var arch = Index.Search(Parse("subsystem:arch 中断"), 0, 100);
        Assert.NotEmpty(arch.Hits);
        Assert.All(arch.Hits, h => Assert.Equal("architecture", h.Section.Subsystem));

        var none = Index.Search(Parse("subsystem:fs TDP MMU"), 0, 100);
        Assert.Equal(0, none.Total);
        Assert.Empty(none.Hits);
    }

    [Theory]
    [InlineData("subsystem:nosuchthing fuse", "nosuchthing")]
    [InlineData("子系统:不存在 fuse", "不存在")]
    public void Parse_UnknownSubsystem_IsAnError(string input, string name)
    {
        var parsed = PatchQuery.Parse(input, fixture.Catalog);
        Assert.Null(parsed.Query);
        var error = Assert.IsType<PatchQueryError.UnknownSubsystem>(parsed.Error);
        Assert.Equal(name, error.Name);
    }

    [Theory]
    [InlineData("month:2020-13 fuse", "2020-13")]
    [InlineData("month:sept fuse", "sept")]
    [InlineData("月份:20-09", "20-09")]
    public void Parse_MalformedMonth_IsAnError(string input, string text)
    {
        var parsed = PatchQuery.Parse(input, fixture.Catalog);
        Assert.Null(parsed.Query);
        var error = Assert.IsType<PatchQueryError.BadMonth>(parsed.Error);
        Assert.Equal(text, error.Text);
    }

    [Fact]
    public void Parse_SplitsFiltersFromText()
    {
        var query = Parse("bus subsystem:kvm lock month:2020-09");
        Assert.Equal("bus lock", query.Text);
        Assert.Equal("virtualization", query.Subsystem?.Key);
        Assert.Equal(new ReportMonth(2020, 9), query.Month);
    }

    // ---- odd queries ---------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("the of and")]
    [InlineData("a")]
    [InlineData("的 了")]
    [InlineData("- _ --")]
    [InlineData("!!! ???")]
    public void StopWordsAndPunctuation_DoNotThrow(string text)
    {
        var results = Index.Search(new PatchQuery(text));
        Assert.NotNull(results);
        Assert.True(results.Total >= results.Hits.Count);
    }

    [Theory]
    [InlineData("qwxzvkjh")]
    [InlineData("zzyzzyx")]
    [InlineData("龘靐齉")]
    public void NonsenseWord_FindsNothing(string word)
    {
        var results = Index.Search(Parse(word));
        Assert.Equal(0, results.Total);
        Assert.Empty(results.Hits);
    }

    [Theory]
    [InlineData("buslock", "bus lock")]
    [InlineData("tdpmmu", "TDP MMU")]
    [InlineData("nitroenclaves", "Nitro Enclaves")]
    [InlineData("zonedblock", "ZoneFS")]
    public void WordsTypedTogether_FindTheEntryThatHasThemApart(string query, string expectedInTitle)
    {
        var results = Index.Search(Parse(query));
        Assert.NotEmpty(results.Hits);
        Assert.Contains(expectedInTitle, results.Hits[0].Entry.Title, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Typo_IsNotSplitIntoTheWordsItHappensToStartWith()
    {
        // "hypervsor" starts with "hyper" and "hyperv", but no corpus words spell all of it: only fuzzy matching
        // (hypervisor) may find entries, never the debris.
        var plain = Index.Concepts("hypervsor", fuzzy: false);
        Assert.Empty(Assert.Single(plain).Variants);
        var fuzzy = Index.Concepts("hypervsor", fuzzy: true);
        var terms = Assert.Single(fuzzy).Variants.SelectMany(Terms).ToList();
        Assert.NotEmpty(terms);
        Assert.All(terms, t => Assert.Equal("hypervisor", t));
    }

    private static IEnumerable<string> Terms(Lucene.Net.Search.Query query)
    {
        var terms = new HashSet<Lucene.Net.Index.Term>();
        query.ExtractTerms(terms);
        return terms.Select(t => t.Text);
    }

    [Theory]
    [InlineData("mmu", "mmu", 0)]
    [InlineData("muu", "mmu", 1)]
    [InlineData("hypervsor", "hypervisor", 1)]
    [InlineData("enclvae", "enclave", 1)] // two letters swapped: one edit, as FuzzyQuery counts with transpositions
    [InlineData("nitor", "nitro", 1)]
    [InlineData("pasid", "passed", 2)]
    [InlineData("kvm", "xen", 3)]
    [InlineData("fchmodat2", "fchmod", 3)]
    public void EditDistance_CountsInsertsDeletesReplacesAndSwaps(string a, string b, int expected)
    {
        Assert.Equal(expected, PatchIndex.EditDistance(a, b, 2) is var d && d > 2 ? 3 : d);
        Assert.Equal(expected, PatchIndex.EditDistance(b, a, 2) is var e && e > 2 ? 3 : e);
    }

    [Theory]
    [InlineData("Lendacky", "Tom Lendacky")]
    [InlineData("Gardon", "Ben Gardon")]
    [InlineData("Christopherson", "Sean Christopherson")]
    public void AuthorSurname_FindsOnlyThatAuthorsEntries(string query, string author)
    {
        var results = Index.Search(Parse(query), 0, 100);
        Assert.NotEmpty(results.Hits);
        Assert.All(results.Hits, h => Assert.Contains(author, h.Entry.Authors));
    }

    // ---- concurrency ---------------------------------------------------------------------------------------------

    private static readonly string[] ConcurrentQueries =
    [
        "TDP MMU", "bus lock", "虚拟机", "fchmod", "Lendacky", "PAGE_SIZE", "透传", "subsystem:fs", "中断 subsystem:arch", "Nitro Enclavs",
    ];

    [Fact]
    public async Task ConcurrentSearches_MatchSequentialResults()
    {
        var queries = ConcurrentQueries.Select(Parse).ToList();
        string Run(PatchQuery q)
        {
            var r = Index.Search(q, 0, 10);
            return r.Total + ": " + string.Join(" | ", r.Hits.Select(h => $"{Key(h)} {h.Score:R} {h.Snippet.PlainText}"));
        }
        var expected = queries.Select(Run).ToList();

        using var start = new Barrier(10);
        var threads = Enumerable.Range(0, 10).Select(t => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            var got = new List<string>();
            for (var round = 0; round < 5; round++)
            {
                // Each thread walks the queries from a different place so different queries overlap in time.
                for (var i = 0; i < queries.Count; i++)
                {
                    var k = (i + t) % queries.Count;
                    got.Add($"{k}:{Run(queries[k])}");
                }
            }
            return got;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        var outputs = await Task.WhenAll(threads);

        foreach (var output in outputs)
        {
            Assert.Equal(5 * queries.Count, output.Count);
            foreach (var line in output)
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var k = int.Parse(line[..colon], System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(expected[k], line[(colon + 1)..]);
            }
        }
    }

    // ---- on-disk cache -------------------------------------------------------------------------------------------

    [Fact]
    public void DiskCache_ReopenedIndexGivesSameResults()
    {
        var cache = Directory.CreateTempSubdirectory("kd-cache-").FullName;
        try
        {
            var catalog = LibraryFixture.LoadCatalog();
            var glossary = LibraryFixture.LoadGlossary();
            var queries = ConcurrentQueries.Select(q => PatchQuery.Parse(q, catalog).Query!).ToList();
            static string Describe(SearchResults r) =>
                r.Total + ": " + string.Join(" | ", r.Hits.Select(h => $"{Key(h)} {h.Score:R} {h.Snippet.PlainText}"));

            var first = new ReportLibrary(LibraryFixture.ReportsDirectory, catalog, new PatchIndexFactory(glossary, catalog, cache));
            List<string> built;
            using (var index = first.Current.Index)
                built = [.. queries.Select(q => Describe(index.Search(q, 0, 10)))];

            var ready = Directory.EnumerateFiles(cache, "ready", SearchOption.AllDirectories).ToList();
            var readyFile = Assert.Single(ready);
            var readyWritten = File.GetLastWriteTimeUtc(readyFile);

            var second = new ReportLibrary(LibraryFixture.ReportsDirectory, catalog, new PatchIndexFactory(glossary, catalog, cache));
            List<string> reopened;
            using (var index = second.Current.Index)
            {
                Assert.Equal(15, index.Count);
                reopened = [.. queries.Select(q => Describe(index.Search(q, 0, 10)))];
            }

            Assert.Equal(built, reopened);
            // The second factory opened the published index rather than building another one.
            Assert.Equal([readyFile], Directory.EnumerateFiles(cache, "ready", SearchOption.AllDirectories));
            Assert.Equal(readyWritten, File.GetLastWriteTimeUtc(readyFile));

            // And the cached index answers like the in-memory one the bot uses without a cache.
            Assert.Equal(queries.Select(q => Describe(Index.Search(q, 0, 10))), reopened);
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }
}
