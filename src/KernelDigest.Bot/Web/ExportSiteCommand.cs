using System.Text;
using KernelDigest.Bot.Cli;
using KernelDigest.Bot.Reports;
using KernelDigest.Core;
using KernelDigest.Core.Reports;

namespace KernelDigest.Bot.Web;

/// <summary>
/// <c>export-site DIR</c>: the whole archive as static files with relative links, for any static host. The pages are
/// rendered by the same code as the served ones; only the addresses differ (<c>reports/2020-09.html</c>, English under
/// <c>en/</c>), and there is no search page (a static host cannot run one). Feeds link to <c>Web:BaseUrl</c> when set.
/// </summary>
internal static class ExportSiteCommand
{
    public static int Run(string[] args, TextWriter output)
    {
        var (own, settings) = Cli.Cli.SplitSettings(args);
        if (own.Count != 1)
            throw new CliUsageException("export-site takes one folder: export-site DIR");
        var configuration = Cli.Cli.Configuration(settings);
        var library = ReportsSetup.CreateLibrary(ReportsSetup.ReadOptions(configuration));
        var web = new WebOptions();
        configuration.GetSection(WebOptions.SectionName).Bind(web);
        var count = Export(library.Current, library, own[0], web.BaseUri);
        output.WriteLine($"wrote {count} files to {Path.GetFullPath(own[0])}");
        return library.Current.Errors.Count > 0 ? 1 : 0;
    }

    /// <summary>Writes every page in both languages, the feeds and the assets; returns how many files.</summary>
    public static int Export(LibrarySnapshot snapshot, ReportLibrary library, string directory, Uri? baseUrl)
    {
        var pages = new ArchivePages(snapshot, library.Subsystems);
        var files = 0;
        void Write(string path, byte[] bytes)
        {
            var full = Path.Combine(directory, path.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, bytes);
            files++;
        }
        void Page(string path, Lang lang, Func<SiteLinks, Page> render)
        {
            var file = (lang == Lang.En ? "en/" : "") + (path.Length == 0 ? "index.html" : path + ".html");
            Write(file, Encoding.UTF8.GetBytes(render(SiteLinks.Exported(path, lang)).Html));
        }

        var withEntries = snapshot.Reports.SelectMany(r => r.Sections).Select(s => s.Subsystem).ToHashSet(StringComparer.Ordinal);
        foreach (var lang in new[] { Lang.Zh, Lang.En })
        {
            Page("", lang, pages.Home);
            Page("subsystems", lang, pages.Subsystems);
            foreach (var subsystem in library.Subsystems.All.Where(s => withEntries.Contains(s.Key)))
                Page(ArchiveLinks.SubsystemPath(subsystem.Key), lang, l => pages.Subsystem(l, subsystem));
            foreach (var report in snapshot.Reports)
            {
                Page(ArchiveLinks.MonthPath(report.Month), lang, l => ArchivePages.Month(l, report));
                foreach (var section in report.Sections)
                    foreach (var entry in section.Entries)
                        Page(ArchiveLinks.EntryPath(report, entry), lang, l => ArchivePages.Entry(l, report, section, entry));
            }
        }
        var feeds = new ArchiveFeeds(snapshot, library.Subsystems);
        // Without a public address, feed links are relative to the feed's own location (RFC 4287 allows it).
        Func<string, Uri> Address(string feedPath) => path =>
            baseUrl is not null ? new Uri(new Uri(new ArchiveLinks(baseUrl).Root), ExportPath(path)) : new Uri(SiteLinks.Relative(feedPath, ExportPath(path)), UriKind.Relative);
        Write("feed.atom", feeds.Write(null, "feed.atom", Address("feed.atom")));
        foreach (var subsystem in library.Subsystems.All.Where(s => withEntries.Contains(s.Key)))
        {
            var feedPath = ArchiveLinks.SubsystemPath(subsystem.Key) + "/feed.atom";
            Write(feedPath, feeds.Write(subsystem, feedPath, Address(feedPath)));
        }
        Write(SiteAssets.StylePath, SiteAssets.Style);
        Write(SiteAssets.IconPath, SiteAssets.Icon);
        return files;
    }

    // A page's file in the export; feeds and assets keep their path.
    private static string ExportPath(string path) =>
        path.Length == 0 ? "index.html" : path.EndsWith(".atom", StringComparison.Ordinal) ? path : path + ".html";
}
