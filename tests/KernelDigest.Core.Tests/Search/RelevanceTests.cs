using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Search;
using KernelDigest.Core.Subsystems;

namespace KernelDigest.Core.Tests.Search;

/// <summary>
/// The bundled reports (<c>config/reports</c>) loaded once, with the real glossary and taxonomy and an in-memory index:
/// what the bot serves. Shared by every test of a class through <see cref="IClassFixture{TFixture}"/>.
/// </summary>
public sealed class LibraryFixture : IDisposable
{
    private static readonly Lazy<string> Root = new(FindRepoRoot);

    public LibraryFixture()
    {
        Catalog = LoadCatalog();
        Glossary = LoadGlossary();
        Library = new ReportLibrary(ReportsDirectory, Catalog, new PatchIndexFactory(Glossary, Catalog, cacheDirectory: null));
        Pages = new PageCodec();
        Dispatcher = new Dispatcher(new ReportCommands(Library), Pages);
    }

    /// <summary>The repository root: the first folder above the test binaries that holds Bot.sln.</summary>
    public static string RepoRoot => Root.Value;

    public static string ReportsDirectory => Path.Combine(RepoRoot, "config", "reports");

    public static string FixturePath(string name) => Path.Combine(RepoRoot, "tests", "KernelDigest.Core.Tests", "Fixtures", name);

    public static SubsystemCatalog LoadCatalog() => SubsystemCatalog.Load(Path.Combine(RepoRoot, "config", "subsystems.yaml"));

    public static Glossary LoadGlossary() => Glossary.Load(Path.Combine(RepoRoot, "config", "glossary.yaml"));

    public SubsystemCatalog Catalog { get; }

    public Glossary Glossary { get; }

    public ReportLibrary Library { get; }

    public Dispatcher Dispatcher { get; }

    public PageCodec Pages { get; }

    /// <summary>
    /// The reply to a typed message, as the console would get it; null when it is for another bot. Report commands
    /// complete synchronously (the reports are in memory): that is asserted here, so a blocking call sneaking into one
    /// fails every test.
    /// </summary>
    public Reply? Ask(string text, Lang lang = Lang.Zh, string? botUsername = null)
    {
        if (Inbound.FromText(text, Inbound.ConsoleChat, lang, botUsername) is not { } input)
            return null;
        var answer = Dispatcher.DispatchAsync(input, CancellationToken.None);
        return answer.IsCompletedSuccessfully ? answer.Result : throw new Xunit.Sdk.XunitException($"{text}: a report command did not complete synchronously");
    }

    public PatchIndex Index => Library.Current.Index;

    public void Dispose()
    {
        Pages.Dispose();
        Library.Current.Index.Dispose();
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Bot.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Bot.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>
/// Rank-1 relevance over the bundled 2020-09 report. Each fixture line is a message as a user types it and a phrase the
/// title of the first result must contain (case-insensitive). <c>queries.tsv</c> is the team's development set (copied
/// from the shared eval folder); <c>queries-extra.tsv</c> holds further user-like cases: identifier parts and prefixes,
/// glued words, typos, author names, English for Chinese-only text, Chinese queries and filters.
/// </summary>
public sealed class RelevanceTests(LibraryFixture fixture) : IClassFixture<LibraryFixture>
{
    public static TheoryData<string, string> DevelopmentSet() => Load("queries.tsv");

    public static TheoryData<string, string> ExtraSet() => Load("queries-extra.tsv");

    [Theory]
    [MemberData(nameof(DevelopmentSet))]
    public void DevelopmentQuery_RanksExpectedEntryFirst(string query, string expectedInTitle) => AssertRankOne(query, expectedInTitle);

    [Theory]
    [MemberData(nameof(ExtraSet))]
    public void UserQuery_RanksExpectedEntryFirst(string query, string expectedInTitle) => AssertRankOne(query, expectedInTitle);

    [Fact]
    public void Fixtures_AreNotEmpty()
    {
        Assert.True(DevelopmentSet().Count >= 10);
        Assert.True(ExtraSet().Count >= 25);
    }

    private void AssertRankOne(string query, string expectedInTitle)
    {
        var reply = fixture.Ask(query);
        Assert.NotNull(reply);
        Assert.False(reply.IsError, $"{query}: error reply \"{reply.Title}\"");
        var titles = reply.Items.Select(i => i.Title).ToList();
        Assert.True(titles.Count > 0, $"{query}: no results ({reply.Title} / {string.Join(" / ", reply.Body)})");
        Assert.True(
            titles[0].Contains(expectedInTitle, StringComparison.OrdinalIgnoreCase),
            $"{query}: expected rank 1 to contain \"{expectedInTitle}\", got: {string.Join(" | ", titles)}");
    }

    private static TheoryData<string, string> Load(string file)
    {
        var data = new TheoryData<string, string>();
        foreach (var line in File.ReadAllLines(LibraryFixture.FixturePath(file)))
        {
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var fields = line.Split('\t');
            if (fields.Length != 2 || fields[0].Trim().Length == 0 || fields[1].Trim().Length == 0)
                throw new InvalidDataException($"{file}: expected \"query<TAB>phrase\", got \"{line}\"");
            data.Add(fields[0], fields[1].Trim());
        }
        return data;
    }
}
