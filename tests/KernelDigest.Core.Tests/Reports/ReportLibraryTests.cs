using System.Collections.Concurrent;
using System.Diagnostics;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Search;

namespace KernelDigest.Core.Tests.Reports;

public sealed class ReportLibraryTests : IDisposable
{
    private static readonly Lazy<Glossary> LoadedGlossary = new(() =>
    {
        var path = Repo.PathOf("config", "glossary.yaml");
        return File.Exists(path) ? Glossary.Load(path) : Glossary.Empty;
    });

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("kd-reports-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string PathOf(string name) => Path.Combine(_folder.FullName, name);

    private ReportLibrary Library(string? directory = null) =>
        new(directory ?? _folder.FullName, Repo.Catalog, new PatchIndexFactory(LoadedGlossary.Value, Repo.Catalog, cacheDirectory: null));

    private void CopyGolden() => File.Copy(Repo.GoldenPath, PathOf("2020-09.md"));

    private static string SmallReport(string month, string title = "小月报", string entry = "Speed up KVM page faults") =>
        string.Join('\n',
            "---", $"month: {month}", $"title: {title}", "---", "", "# 虚拟化", "", $"## {entry}", "", "- authors: Alice", "",
            "This makes page faults faster.", "") + "\n";

    private void Write(string name, string text) => File.WriteAllText(PathOf(name), text);

    private static ReportMonth M(string text) => ReportMonth.Parse(text);

    /// <summary>Polls until the condition holds; fails with <paramref name="what"/> after <see cref="Patience"/>.</summary>
    private static void Eventually(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Patience, $"not seen within {Patience.TotalSeconds} s: {what}");
            Thread.Sleep(25);
        }
    }

    [Fact]
    public void BrokenFile_IsReportedWithFileAndLine_WhileEveryOtherReportLoads()
    {
        CopyGolden();
        Write("2020-10.md", SmallReport("2020-10"));
        Write("2020-11.md", string.Join('\n', "---", "month: 2020-11", "title: 坏月报", "---", "", "# 虚拟化", "", "## Entry", "", "### Links", "", "- no address here", ""));
        Write("notes.txt", "not a report");

        var snapshot = Library().Current;

        Assert.Equal([M("2020-10"), M("2020-09")], snapshot.Months);
        Assert.Equal(M("2020-10"), snapshot.Latest?.Month);
        Assert.Equal(15, snapshot.Find(M("2020-09"))!.Entries.Count());
        var error = Assert.Single(snapshot.Errors);
        Assert.Equal((PathOf("2020-11.md"), 12), (error.File, error.Line));
        Assert.Contains("link item has no address", error.Message, StringComparison.Ordinal);
        // The broken month is not searchable, the others are.
        Assert.Equal(16, snapshot.Index.Count);
    }

    [Fact]
    public void DuplicateMonth_IsReported_AndLoadedOnce()
    {
        CopyGolden();
        File.Copy(Repo.GoldenPath, PathOf("september.md"));

        var snapshot = Library().Current;

        var report = Assert.Single(snapshot.Reports);
        Assert.Equal(PathOf("2020-09.md"), report.SourcePath);
        var error = Assert.Single(snapshot.Errors);
        Assert.Equal((PathOf("september.md"), 1), (error.File, error.Line));
        Assert.Contains("month 2020-09 is already loaded from 2020-09.md", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reload_AfterAddingAFile_ShowsTheNewMonth()
    {
        CopyGolden();
        var library = Library();
        Assert.Equal([M("2020-09")], library.Current.Months);
        LibrarySnapshot? announced = null;
        library.Reloaded += s => announced = s;

        Write("2020-10.md", SmallReport("2020-10"));
        var reloaded = library.Reload();

        Assert.Equal([M("2020-10"), M("2020-09")], reloaded.Months);
        Assert.Same(reloaded, library.Current);
        Assert.Same(reloaded, announced);
        Assert.Empty(reloaded.Errors);
    }

    [Fact]
    public void Reload_AfterRemovingAFile_DropsTheMonth()
    {
        CopyGolden();
        Write("2020-10.md", SmallReport("2020-10"));
        var library = Library();
        Assert.Equal(2, library.Current.Reports.Count);

        File.Delete(PathOf("2020-10.md"));

        Assert.Equal([M("2020-09")], library.Reload().Months);
    }

    [Fact]
    public void Watch_PicksUpAnAddedFileAndAChangedFile_WithoutReload()
    {
        CopyGolden();
        var library = Library();
        Assert.Equal([M("2020-09")], library.Current.Months);
        var failures = new ConcurrentQueue<Exception>();

        using (library.Watch(failures.Enqueue, TimeSpan.FromMilliseconds(50)))
        {
            Write("2020-10.md", SmallReport("2020-10", title: "十月第一版"));
            Eventually(() => library.Current.Find(M("2020-10")) is not null, "the added 2020-10.md");
            Assert.Equal("十月第一版", library.Current.Find(M("2020-10"))!.Title);

            Write("2020-10.md", SmallReport("2020-10", title: "十月第二版", entry: "Rework the TDP MMU"));
            Eventually(() => library.Current.Find(M("2020-10"))?.Title == "十月第二版", "the changed title of 2020-10.md");

            var october = library.Current.Find(M("2020-10"))!;
            Assert.Equal(["Rework the TDP MMU"], october.Entries.Select(e => e.Title));
            Assert.Equal([M("2020-10"), M("2020-09")], library.Current.Months);
        }
        Assert.Empty(failures);
    }

    [Fact]
    public void Without_file_events_the_check_of_the_listing_finds_an_added_and_a_changed_file()
    {
        // As when the watcher lost its events or could not start (inotify limits): only the periodic check is left.
        CopyGolden();
        var library = Library();
        Assert.Equal([M("2020-09")], library.Current.Months);
        var failures = new ConcurrentQueue<Exception>();

        using (library.Watch(failures.Enqueue, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(50), failures.Enqueue, fileEvents: false))
        {
            Write("2020-10.md", SmallReport("2020-10", title: "十月第一版"));
            Eventually(() => library.Current.Find(M("2020-10")) is not null, "the added 2020-10.md");

            // The same length (another title of as many bytes): the file's time tells it apart.
            Write("2020-10.md", SmallReport("2020-10", title: "十月第二版"));
            Eventually(() => library.Current.Find(M("2020-10"))?.Title == "十月第二版", "the changed 2020-10.md");
        }
        Assert.Empty(failures);
    }

    [Fact]
    public void Watch_FileBrokenThenFixed_ErrorComesAndGoes()
    {
        CopyGolden();
        var library = Library();
        Assert.Empty(library.Current.Errors);

        using (library.Watch(debounce: TimeSpan.FromMilliseconds(50)))
        {
            Write("2020-10.md", "# no front matter\n");
            Eventually(() => library.Current.Errors.Any(e => e.File == PathOf("2020-10.md") && e.Line == 1), "the error for 2020-10.md");
            Assert.Equal([M("2020-09")], library.Current.Months);

            Write("2020-10.md", SmallReport("2020-10"));
            Eventually(() => library.Current.Errors.Count == 0 && library.Current.Find(M("2020-10")) is not null, "the fixed 2020-10.md");
        }
    }

    [Fact]
    public void FileBrokenAfterLoadingCleanly_KeepsItsLastGoodVersion_UntilFixed()
    {
        CopyGolden();
        Write("2020-10.md", SmallReport("2020-10", title: "十月第一版"));
        var library = Library();
        Assert.Equal("十月第一版", library.Current.Find(M("2020-10"))!.Title);

        Write("2020-10.md", SmallReport("2020-10", title: "十月第二版")[..20]); // saved half-written
        var broken = library.Reload();

        Assert.Equal("十月第一版", broken.Find(M("2020-10"))!.Title);
        Assert.Equal(PathOf("2020-10.md"), Assert.Single(broken.Errors).File);
        Assert.Equal([M("2020-10")], broken.Stale.Select(r => r.Month));

        Write("2020-10.md", SmallReport("2020-10", title: "十月第二版"));
        var fixedUp = library.Reload();
        Assert.Equal("十月第二版", fixedUp.Find(M("2020-10"))!.Title);
        Assert.Empty(fixedUp.Errors);
        Assert.Empty(fixedUp.Stale);

        File.Delete(PathOf("2020-10.md"));
        Assert.Equal([M("2020-09")], library.Reload().Months);
    }

    [Fact]
    public void InvalidUtf8_IsReportedAtItsLine_AndAHugeFileIsRefusedUnread()
    {
        CopyGolden();
        var bytes = System.Text.Encoding.UTF8.GetBytes(SmallReport("2020-10"));
        var line3 = bytes.AsSpan().IndexOf("title"u8);
        File.WriteAllBytes(PathOf("2020-10.md"), [.. bytes[..line3], 0xC3, 0x28, .. bytes[line3..]]);
        using (var huge = File.Create(PathOf("2020-11.md")))
            huge.SetLength(ReportLibrary.MaxFileBytes + 1);

        var snapshot = Library().Current;

        Assert.Equal([M("2020-09")], snapshot.Months);
        var utf8 = Assert.Single(snapshot.Errors, e => e.File == PathOf("2020-10.md"));
        Assert.Equal(3, utf8.Line);
        Assert.Contains("not valid UTF-8", utf8.Message, StringComparison.Ordinal);
        var size = Assert.Single(snapshot.Errors, e => e.File == PathOf("2020-11.md"));
        Assert.Contains("MB a report may be", size.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFolder_GivesAnError_NotAnException()
    {
        var missing = PathOf("no-such-folder");
        var library = Library(missing);

        var snapshot = library.Current;

        Assert.Empty(snapshot.Reports);
        Assert.Null(snapshot.Latest);
        Assert.Equal(0, snapshot.Index.Count);
        var error = Assert.Single(snapshot.Errors);
        Assert.Equal(missing, error.File);
        Assert.Contains("not found", error.Message, StringComparison.Ordinal);

        // Watching a folder that is not there must not take the bot down either.
        using var watch = library.Watch();
        Assert.Single(library.Reload().Errors);
    }

    [Fact]
    public void ReadAll_ValidatesWithoutAnIndex()
    {
        CopyGolden();
        Write("2020-10.md", SmallReport("2020-11"));

        var (reports, errors) = ReportLibrary.ReadAll(_folder.FullName, Repo.Catalog);

        Assert.Equal([M("2020-09")], reports.Select(r => r.Month));
        var error = Assert.Single(errors);
        Assert.Equal((PathOf("2020-10.md"), 2), (error.File, error.Line));
        Assert.Contains("does not match the file name 2020-10", error.Message, StringComparison.Ordinal);
    }
}
