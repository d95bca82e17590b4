using KernelDigest.Core.Reports;
using KernelDigest.Core.Search;

namespace KernelDigest.Core.Tests.Search;

public sealed class GlossaryTests
{
    private static readonly GlossaryTerm BusLock = new(["总线锁"], ["bus lock", "split lock"]);
    private static readonly GlossaryTerm Lock = new(["锁"], ["lock"]);
    private static readonly GlossaryTerm Vm = new(["虚拟机"], ["VM"]);
    private static readonly GlossaryTerm Migration = new(["热迁移"], ["live migration"]);
    private static readonly GlossaryTerm Mmu = new(["内存管理单元"], ["MMU"]);
    private static readonly Glossary Small = new([BusLock, Lock, Vm, Migration, Mmu]);

    [Fact]
    public void FindIn_FindsChineseAnywhereAndEnglishOnWordBoundaries()
    {
        // Each term once, by the first name found: Chinese names longest first, then English ones in any case.
        var found = Small.FindIn("在虚拟机里检测总线锁, then Live Migration again; KVMMU and the MMU").ToList();

        Assert.Equal(
            [("总线锁", BusLock, true), ("虚拟机", Vm, true), ("锁", Lock, true), ("live migration", Migration, false), ("mmu", Mmu, false)],
            found);
    }

    [Fact]
    public void FindIn_AndSegment_IgnoreEmptyNames()
    {
        // An empty name would be "in" every text; a scan for it never moves on.
        var blank = new GlossaryTerm([""], ["", "vm"]);
        var glossary = new Glossary([blank, Vm]);

        Assert.Equal([("虚拟机", Vm), ("vm", blank)], glossary.FindIn("a vm 和虚拟机").Select(f => (f.Found, f.Term)));
        Assert.Equal([("和", (GlossaryTerm?)null), ("虚拟机", Vm)], glossary.Segment("和虚拟机"));
    }

    [Theory]
    [InlineData("kvm and svm only", new string[0])] // "vm" inside a word
    [InlineData("VM", new[] { "vm" })] // the whole text, in another case
    [InlineData("a vm.", new[] { "vm" })]
    [InlineData("bus locked, unlock, lock", new[] { "lock" })] // "bus lock" is followed by a letter
    [InlineData("bus lockbus lock", new[] { "lock" })] // "bus lock" glued to the next word; the last "lock" stands alone
    [InlineData("", new string[0])]
    public void FindIn_EnglishNames(string text, string[] expected) =>
        Assert.Equal(expected, Small.FindIn(text).Select(f => f.Found));

    [Fact]
    public void FindIn_GivesWhatAScanForEachNameGives_OverTheReportsAndTheirPieces()
    {
        // The one-pass lookup must find exactly what looking for each name in turn finds, in the same order.
        var glossary = LibraryFixture.LoadGlossary();
        var reports = new ReportLibrary(LibraryFixture.ReportsDirectory, LibraryFixture.LoadCatalog(), new PatchIndexFactory(glossary, LibraryFixture.LoadCatalog()))
            .Current.Reports;
        var texts = reports.SelectMany(r => r.Entries)
            .Select(e => string.Join('\n', e.Title, string.Join('\n', e.Summary), string.Join(", ", e.Keywords)))
            .ToList();
        var random = new Random(20261130);
        var pieces = texts.SelectMany(t => Enumerable.Range(0, 20).Select(_ =>
        {
            var start = random.Next(t.Length);
            var piece = t.Substring(start, random.Next(t.Length - start + 1));
            return random.Next(3) == 0 ? piece.ToUpperInvariant() : piece;
        })).ToList();

        var checkedNames = 0;
        foreach (var text in texts.Concat(pieces))
        {
            var expected = ScanEachName(glossary, text);
            Assert.Equal(expected, glossary.FindIn(text).Select(f => (f.Found, f.Term, f.IsChinese)));
            checkedNames += expected.Count;
        }
        Assert.True(checkedNames > 1000, $"only {checkedNames} names found: the texts do not exercise the glossary");
    }

    [Fact]
    public void GlossaryNames_IndexOnlyTheEntriesThatContainATerm()
    {
        // The index build reuses its untokenized fields from entry to entry: each entry must be indexed with its own
        // glossary names, never the last entry's. The English names are in no text, so only the glossary finds them.
        var busLock = new GlossaryTerm(["总线锁"], ["hypothetical bus"]);
        var migration = new GlossaryTerm(["热迁移"], ["imaginary move"]);
        var entries = Enumerable.Range(0, 300).Select(i => new ReportEntry
        {
            Title = $"Entry {i}",
            Summary = [(i % 3) switch { 0 => $"第{i}项检测总线锁。", 1 => $"第{i}项支持热迁移。", _ => $"第{i}项只做别的事情。" }],
        }).ToList();
        var report = new Report
        {
            Month = ReportMonth.Parse("2020-09"),
            Title = "Glossary test",
            Sections = [new ReportSection { Heading = "虚拟化", Subsystem = "virtualization", Entries = entries }],
        };
        var catalog = LibraryFixture.LoadCatalog();
        using var index = new PatchIndexFactory(new Glossary([busLock, migration]), catalog).Open([report]);

        foreach (var (query, remainder) in new[] { ("hypothetical bus", 0), ("imaginary move", 1) })
        {
            var hits = index.Search(PatchQuery.Parse(query, catalog).Query!, 0, 300).Hits;
            Assert.Equal(
                entries.Where((_, i) => i % 3 == remainder).Select(e => e.Title).Order(StringComparer.Ordinal),
                hits.Select(h => h.Entry.Title).Order(StringComparer.Ordinal));
        }
    }

    private static List<(string, GlossaryTerm, bool)> ScanEachName(Glossary glossary, string text)
    {
        var found = new List<(string, GlossaryTerm, bool)>();
        var seen = new HashSet<GlossaryTerm>();
        var zh = glossary.Terms.SelectMany(t => t.Zh.Select(z => (Name: z, Term: t))).OrderByDescending(p => p.Name.Length);
        var en = glossary.Terms.SelectMany(t => t.En.Select(e => (Name: e.ToLowerInvariant(), Term: t))).OrderByDescending(p => p.Name.Length);
        if (TextUtil.HasCjk(text))
        {
            foreach (var (name, term) in zh)
            {
                if (!seen.Contains(term) && text.Contains(name, StringComparison.Ordinal) && seen.Add(term))
                    found.Add((name, term, true));
            }
        }
        foreach (var (name, term) in en)
        {
            if (!seen.Contains(term) && Glossary.ContainsWord(text, name) && seen.Add(term))
                found.Add((name, term, false));
        }
        return found;
    }
}
