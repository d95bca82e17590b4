using System.Collections.Concurrent;
using System.Text;
using KernelDigest.Core;
using KernelDigest.Core.Reports;
using Microsoft.Extensions.Options;

namespace KernelDigest.Bot.Web;

/// <summary>A response body ready to send, with the validator it is served under.</summary>
internal sealed record Rendered(byte[] Body, string ContentType, int Status, string ETag, DateTimeOffset LastModified);

/// <summary>
/// The served archive: resolves a site path to a rendered page or feed for the current snapshot. Pages and feeds are
/// rendered once per snapshot, language and path, and kept until the reports change (a reload makes a new snapshot);
/// searches are rendered per request.
/// </summary>
internal sealed class ArchiveSite(ReportLibrary library, IOptions<WebOptions> options)
{
    public const string Html = "text/html; charset=utf-8";
    public const string Atom = "application/atom+xml; charset=utf-8";

    private Cache _cache = new(null);

    private sealed record Cache(LibrarySnapshot? Snapshot)
    {
        public ConcurrentDictionary<(string Path, Lang Lang, bool Chosen), Rendered?> Entries { get; } = new();
    }

    public LibrarySnapshot Snapshot => library.Current;

    /// <summary>
    /// A page or feed at a site path (no leading slash), or null when there is nothing there. Feed links start at
    /// <c>Web:BaseUrl</c>, or else at <paramref name="requestBase"/>; such feeds are not kept, as the Host header that
    /// made them is the client's to choose.
    /// </summary>
    public Rendered? Get(string path, Lang lang, bool langChosen, Uri requestBase)
    {
        var feedBase = PublicBase ?? requestBase;
        Uri Address(string p) => new(feedBase, p);
        var snapshot = library.Current;
        var cache = Volatile.Read(ref _cache);
        if (!ReferenceEquals(cache.Snapshot, snapshot))
        {
            cache = new Cache(snapshot);
            Volatile.Write(ref _cache, cache);
        }
        var isFeed = path.EndsWith(".atom", StringComparison.Ordinal);
        if (isFeed && PublicBase is null)
            return Render(snapshot, path, Lang.Zh, false, Address);
        // Feeds do not depend on the language; one copy serves both.
        var key = isFeed ? (path, Lang.Zh, false) : (path, lang, langChosen);
        return cache.Entries.GetOrAdd(key, k => Render(snapshot, k.Path, k.Lang, k.Chosen, Address));
    }

    public Rendered Search(string? query, int page, Lang lang, bool langChosen)
    {
        var snapshot = library.Current;
        var result = new ArchivePages(snapshot, library.Subsystems).Search(SiteLinks.Served("search", lang, langChosen), query, page);
        return Wrap(snapshot, result.Html, Html, result.Status, lang, langChosen);
    }

    public Rendered Error(Page page, Lang lang, bool langChosen) => Wrap(library.Current, page.Html, Html, page.Status, lang, langChosen);

    /// <summary><c>Web:BaseUrl</c>, always ending in a slash; null when unset.</summary>
    public Uri? PublicBase { get; } = options.Value.BaseUri is { } b ? new Uri(new ArchiveLinks(b).Root) : null;

    private Rendered? Render(LibrarySnapshot snapshot, string path, Lang lang, bool chosen, Func<string, Uri> address)
    {
        var pages = new ArchivePages(snapshot, library.Subsystems);
        var links = SiteLinks.Served(path, lang, chosen);
        var parts = path.Split('/');
        if (path.EndsWith(".atom", StringComparison.Ordinal))
        {
            var feeds = new ArchiveFeeds(snapshot, library.Subsystems);
            if (path == "feed.atom")
                return Wrap(snapshot, feeds.Write(null, path, address), Atom, 200, Lang.Zh, false);
            if (parts is ["subsystems", var key, "feed.atom"] && library.Subsystems.Find(key) is { } s && s.Key == key)
                return Wrap(snapshot, feeds.Write(s, path, address), Atom, 200, Lang.Zh, false);
            return null;
        }
        Page? page = parts switch
        {
            [""] => pages.Home(links),
            ["subsystems"] => pages.Subsystems(links),
            ["subsystems", var key] when library.Subsystems.Find(key) is { } s && s.Key == key => pages.Subsystem(links, s),
            ["reports", var m] when ReportMonth.TryParse(m, out var month) && snapshot.Find(month) is { } report => ArchivePages.Month(links, report),
            ["reports", var m, var slug] when ReportMonth.TryParse(m, out var month) && snapshot.Find(month) is { } report
                && EntrySlugs.Of(report).TryFind(slug, out var section, out var entry) => ArchivePages.Entry(links, report, section, entry),
            _ => null,
        };
        return page is null ? null : Wrap(snapshot, page.Html, Html, page.Status, lang, chosen);
    }

    private static Rendered Wrap(LibrarySnapshot snapshot, string html, string type, int status, Lang lang, bool chosen) =>
        Wrap(snapshot, Encoding.UTF8.GetBytes(html), type, status, lang, chosen);

    private static Rendered Wrap(LibrarySnapshot snapshot, byte[] body, string type, int status, Lang lang, bool chosen)
    {
        var version = SiteVersion.Of(snapshot);
        // One resource, several representations (language): the tag names which one.
        var etag = $"\"{version.Tag}-{lang.Code()}{(chosen ? "c" : "")}\"";
        return new Rendered(body, type, status, etag, version.LastModified);
    }
}
