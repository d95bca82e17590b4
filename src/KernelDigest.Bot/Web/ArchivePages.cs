using System.Globalization;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Search;
using KernelDigest.Core.Subsystems;

namespace KernelDigest.Bot.Web;

/// <summary>A rendered page: its HTML and the status it is served with.</summary>
internal sealed record Page(string Html, int Status = 200);

/// <summary>
/// Renders the archive's pages from one <see cref="LibrarySnapshot"/> (drafts are never in it). The served site and
/// <c>export-site</c> share this code; only <see cref="SiteLinks"/> differs. Headings go h1 → h2 → h3 without gaps.
/// </summary>
internal sealed class ArchivePages(LibrarySnapshot snapshot, SubsystemCatalog catalog)
{
    /// <summary>Search results per page on the web (chat shows 5; a page has room for more).</summary>
    public const int SearchPageSize = 10;

    public Page Home(SiteLinks links)
    {
        var t = WebTexts.For(links.Lang);
        var html = Begin(links, t.SiteName, "home", null);
        html.Element("h1", t.SiteName);
        if (snapshot.Latest is not { } latest)
            html.Element("p", t.NoReports);
        else
        {
            html.Open("section", ("aria-labelledby", "latest")).Open("h2", ("id", "latest")).Text(t.Latest).Markup(": ")
                .Link(links.Page(ArchiveLinks.MonthPath(latest.Month)), latest.Title).Close("h2");
            ReportCredits(html, latest, t);
            foreach (var section in latest.Sections)
            {
                html.Element("h3", section.Heading);
                EntryList(html, links, latest, section.Entries, withMonth: false);
            }
            html.Close("section");
            html.Element("h2", t.Months);
            html.Open("ul", ("class", "months"));
            foreach (var report in snapshot.Reports)
            {
                html.Open("li").Link(links.Page(ArchiveLinks.MonthPath(report.Month)), report.Month.ToString())
                    .Markup(" ").Text(report.Title).Markup(" <span class=\"meta\">").Text(t.EntryCount(report.Entries.Count())).Markup("</span>").Close("li");
            }
            html.Close("ul");
        }
        return End(html, links);
    }

    public static Page Month(SiteLinks links, Report report)
    {
        var t = WebTexts.For(links.Lang);
        var slugs = EntrySlugs.Of(report);
        var html = Begin(links, report.Title, "month", null);
        html.Element("h1", report.Title);
        ReportCredits(html, report, t);
        if (report.Sections.Count > 1)
        {
            html.Open("nav", ("class", "toc"), ("aria-label", t.Subsystems)).Open("ul");
            for (var i = 0; i < report.Sections.Count; i++)
                html.Open("li").Link("#s" + (i + 1).ToString(CultureInfo.InvariantCulture), report.Sections[i].Heading).Close("li");
            html.Close("ul").Close("nav");
        }
        for (var i = 0; i < report.Sections.Count; i++)
        {
            var section = report.Sections[i];
            html.Open("section", ("id", "s" + (i + 1).ToString(CultureInfo.InvariantCulture)));
            html.Open("h2").Text(section.Heading).Markup(" ").Link(links.Page(ArchiveLinks.SubsystemPath(section.Subsystem)), "#" + section.Subsystem, ("class", "tag")).Close("h2");
            foreach (var paragraph in section.Intro)
                html.Element("p", paragraph);
            foreach (var entry in section.Entries)
            {
                var slug = slugs[entry];
                html.Open("article", ("id", slug), ("class", "entry"));
                html.Open("h3").Link(links.Page(ArchiveLinks.MonthPath(report.Month) + "/" + slug), entry.Title).Close("h3");
                EntryBody(html, entry, t, headingLevel: 4);
                html.Close("article");
            }
            html.Close("section");
        }
        return End(html, links);
    }

    public static Page Entry(SiteLinks links, Report report, ReportSection section, ReportEntry entry)
    {
        var t = WebTexts.For(links.Lang);
        var html = Begin(links, entry.Title + " · " + report.Month, "entry", null);
        html.Open("nav", ("class", "crumbs"), ("aria-label", "breadcrumb"))
            .Link(links.Page(ArchiveLinks.MonthPath(report.Month)), report.Title).Markup(" › ")
            .Link(links.Page(ArchiveLinks.SubsystemPath(section.Subsystem)), section.Heading).Close("nav");
        html.Element("h1", entry.Title);
        EntryBody(html, entry, t, headingLevel: 2);
        return End(html, links);
    }

    public Page Subsystems(SiteLinks links)
    {
        var t = WebTexts.For(links.Lang);
        var html = Begin(links, t.Subsystems, "subsystems", null);
        html.Element("h1", t.Subsystems);
        var counts = snapshot.Reports.SelectMany(r => r.Sections).GroupBy(s => s.Subsystem).ToDictionary(g => g.Key, g => g.Sum(s => s.Entries.Count));
        html.Open("ul", ("class", "subsystems"));
        foreach (var s in catalog.All.OrderByDescending(s => counts.GetValueOrDefault(s.Key)).ThenBy(s => s.Key, StringComparer.Ordinal))
        {
            var n = counts.GetValueOrDefault(s.Key);
            html.Open("li");
            if (n > 0)
                html.Link(links.Page(ArchiveLinks.SubsystemPath(s.Key)), s.Name(links.Lang));
            else
                html.Text(s.Name(links.Lang));
            html.Markup(" <span class=\"meta\">").Text(s.Key + " · " + t.EntryCount(n)).Markup("</span>").Close("li");
        }
        html.Close("ul");
        return End(html, links);
    }

    public Page Subsystem(SiteLinks links, Subsystem subsystem)
    {
        var t = WebTexts.For(links.Lang);
        var feed = ArchiveLinks.SubsystemPath(subsystem.Key) + "/feed.atom";
        var html = Begin(links, subsystem.Name(links.Lang), "subsystem", feed);
        html.Element("h1", subsystem.Name(links.Lang));
        html.Open("p", ("class", "meta")).Link(links.File(feed), t.Feed, ("type", "application/atom+xml")).Close("p");
        foreach (var report in snapshot.Reports)
        {
            var entries = report.Sections.Where(s => s.Subsystem == subsystem.Key).SelectMany(s => s.Entries).ToList();
            if (entries.Count == 0)
                continue;
            html.Open("h2").Link(links.Page(ArchiveLinks.MonthPath(report.Month)), report.Month.ToString()).Close("h2");
            EntryList(html, links, report, entries, withMonth: false);
        }
        return End(html, links);
    }

    /// <summary>The search page: the form, and results when there is a query (same parser and index as /patch).</summary>
    public Page Search(SiteLinks links, string? query, int page)
    {
        var t = WebTexts.For(links.Lang);
        var texts = BotTexts.For(links.Lang);
        var q = (query ?? "").Trim();
        var title = q.Length == 0 ? t.Search : texts.ResultsTitle(TextUtil.Visible(TextUtil.Truncate(q, 64)));
        var html = Begin(links, title, "search", null, searchValue: q);
        html.Element("h1", title);
        if (q.Length == 0)
        {
            html.Element("p", t.SearchHint);
            return End(html, links);
        }
        if (q.Length > PatchQuery.MaxLength)
            return End(html.Element("p", texts.TooLong(PatchQuery.MaxLength), ("class", "error")), links, 400);
        var parsed = PatchQuery.Parse(q, catalog);
        switch (parsed.Error)
        {
            case PatchQueryError.UnknownSubsystem u:
                html.Element("p", texts.UnknownSubsystem(TextUtil.Visible(TextUtil.Truncate(u.Name, 64))), ("class", "error"));
                html.Open("p").Link(links.Page("subsystems"), t.Subsystems).Close("p");
                return End(html, links, 400);
            case PatchQueryError.BadMonth b:
                html.Element("p", texts.BadMonth(TextUtil.Visible(TextUtil.Truncate(b.Text, 32))), ("class", "error"));
                return End(html, links, 400);
        }
        var patchQuery = parsed.Query!;
        if (patchQuery.Month is { } month && snapshot.Find(month) is null)
        {
            html.Element("p", texts.MonthNotLoaded(month.ToString()), ("class", "error"));
            return End(html, links, 404);
        }
        page = Math.Max(1, page);
        var results = snapshot.Index.Search(patchQuery, (page - 1) * SearchPageSize, SearchPageSize);
        if (results.Total == 0 || results.Hits.Count == 0)
        {
            html.Element("p", t.NoResults(TextUtil.Visible(q)));
            return End(html, links);
        }
        var pages = (results.Total + SearchPageSize - 1) / SearchPageSize;
        html.Element("p", texts.PageLine(page, pages, results.Total), ("class", "meta"));
        html.Open("ol", ("class", "results"), ("start", ((page - 1) * SearchPageSize + 1).ToString(CultureInfo.InvariantCulture)));
        foreach (var hit in results.Hits)
        {
            html.Open("li");
            html.Open("h2").Link(links.Page(ArchiveLinks.EntryPath(hit.Report, hit.Entry)), hit.Entry.Title).Close("h2");
            html.Open("p", ("class", "meta")).Text(Meta(hit.Entry, hit.Report, hit.Section)).Close("p");
            html.Open("p", ("class", "snippet"));
            if (hit.Snippet.IsEmpty)
                html.Text(hit.Entry.OneLine);
            foreach (var part in hit.Snippet.Parts)
            {
                if (part.Highlight)
                    html.Element("mark", part.Text);
                else
                    html.Text(part.Text);
            }
            html.Close("p").Close("li");
        }
        html.Close("ol");
        if (pages > 1)
        {
            html.Open("nav", ("class", "pager"), ("aria-label", t.Search));
            if (page > 1)
                html.Link(links.Search(q, page - 1), "← " + t.Previous, ("rel", "prev"));
            html.Markup(" <span>").Text($"{page}/{pages}").Markup("</span> ");
            if (page < pages)
                html.Link(links.Search(q, page + 1), t.Next + " →", ("rel", "next"));
            html.Close("nav");
        }
        return End(html, links);
    }

    public static Page NotFound(SiteLinks links)
    {
        var t = WebTexts.For(links.Lang);
        var html = Begin(links, t.NotFoundTitle, "error", null);
        html.Element("h1", t.NotFoundTitle).Element("p", t.NotFound);
        return End(html, links, 404);
    }

    public static Page TooManyRequests(SiteLinks links)
    {
        var t = WebTexts.For(links.Lang);
        var html = Begin(links, t.TooManyTitle, "error", null);
        html.Element("h1", t.TooManyTitle).Element("p", t.TooMany);
        return End(html, links, 429);
    }

    private static string Meta(ReportEntry entry, Report report, ReportSection section)
    {
        var parts = new List<string>();
        if (entry.Authors.Count > 0)
            parts.Add(string.Join(", ", entry.Authors));
        parts.Add(report.Month.ToString());
        parts.Add(section.Heading);
        return string.Join(" · ", parts);
    }

    private static void ReportCredits(Html html, Report report, WebTexts t)
    {
        var parts = new List<string>();
        if (report.Issue is { } n)
            parts.Add(t.IssueNumber(n));
        if (report.Contributors.Count > 0)
            parts.Add(t.Contributors + ": " + string.Join("、", report.Contributors));
        if (report.Source is { Length: > 0 } source)
            parts.Add(source);
        if (parts.Count > 0)
            html.Element("p", string.Join(" · ", parts), ("class", "meta"));
    }

    private static void EntryList(Html html, SiteLinks links, Report report, IEnumerable<ReportEntry> entries, bool withMonth)
    {
        html.Open("ul", ("class", "entries"));
        foreach (var entry in entries)
        {
            html.Open("li").Link(links.Page(ArchiveLinks.EntryPath(report, entry)), entry.Title);
            if (entry.Authors.Count > 0)
                html.Markup(" <span class=\"meta\">").Text((withMonth ? report.Month + " · " : "") + string.Join(", ", entry.Authors)).Markup("</span>");
            html.Element("p", entry.OneLine).Close("li");
        }
        html.Close("ul");
    }

    /// <summary>Authors, summary, changelog, links and keywords of an entry, its sub-headings at <paramref name="headingLevel"/>.</summary>
    private static void EntryBody(Html html, ReportEntry entry, WebTexts t, int headingLevel)
    {
        var h = "h" + headingLevel.ToString(CultureInfo.InvariantCulture);
        if (entry.Authors.Count > 0)
            html.Element("p", t.Authors + ": " + string.Join(", ", entry.Authors), ("class", "meta"));
        foreach (var paragraph in entry.Summary)
            html.Element("p", paragraph);
        if (entry.Changelog.Count > 0)
        {
            html.Element(h, t.Changelog);
            foreach (var change in entry.Changelog)
            {
                html.Element("p", change.Label, ("class", "version"));
                html.Open("ol");
                foreach (var item in change.Items)
                    html.Element("li", item);
                html.Close("ol");
            }
        }
        if (entry.Links.Count > 0)
        {
            html.Element(h, t.Links);
            html.Open("ul", ("class", "links"));
            foreach (var link in entry.Links)
            {
                html.Open("li").ExternalLink(link.Url, LinkText.For(link));
                if (Html.SafeUrl(link.Url) is { } url)
                    html.Markup(" <span class=\"url\">").Text(url).Markup("</span>");
                html.Close("li");
            }
            html.Close("ul");
        }
        if (entry.Keywords.Count > 0)
            html.Element("p", t.Keywords + ": " + string.Join(", ", entry.Keywords), ("class", "meta keywords"));
    }

    private static Html Begin(SiteLinks links, string title, string kind, string? feedPath, string? searchValue = null)
    {
        var t = WebTexts.For(links.Lang);
        var html = new Html();
        html.Markup("<!doctype html>").Open("html", ("lang", links.Lang.Code())).Markup("<head><meta charset=\"utf-8\">")
            .Markup("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Markup("<meta name=\"color-scheme\" content=\"light dark\">")
            .Element("title", title == t.SiteName ? title : title + " · " + t.SiteName)
            .Open("link", ("rel", "stylesheet"), ("href", links.File(SiteAssets.StylePath)))
            .Open("link", ("rel", "icon"), ("type", "image/svg+xml"), ("href", links.File(SiteAssets.IconPath)))
            .Open("link", ("rel", "alternate"), ("type", "application/atom+xml"), ("title", t.Feed), ("href", links.File("feed.atom")));
        if (feedPath is not null)
            html.Open("link", ("rel", "alternate"), ("type", "application/atom+xml"), ("title", title), ("href", links.File(feedPath)));
        html.Markup("</head>").Open("body", ("class", kind));
        html.Link("#main", t.SkipToContent, ("class", "skip"));
        html.Open("header").Open("nav", ("class", "site"), ("aria-label", t.SiteName));
        html.Link(links.Page(""), t.SiteName, ("class", "brand"));
        html.Link(links.Page("subsystems"), t.Subsystems);
        html.Link(links.File("feed.atom"), t.Feed, ("type", "application/atom+xml"));
        html.Link(links.OtherLanguage(), t.OtherLanguage, ("hreflang", links.Lang == Lang.En ? "zh-CN" : "en"), ("lang", links.Lang == Lang.En ? "zh-CN" : "en"), ("class", "lang"));
        html.Close("nav");
        if (!links.IsExport)
        {
            // A plain GET form: search works without any script.
            html.Open("form", ("class", "search"), ("role", "search"), ("method", "get"), ("action", links.SearchAction));
            if (links.LangChosen)
                html.Open("input", ("type", "hidden"), ("name", "lang"), ("value", links.Lang.Code()));
            html.Open("input", ("type", "search"), ("name", "q"), ("value", searchValue), ("maxlength", PatchQuery.MaxLength.ToString(CultureInfo.InvariantCulture)),
                ("placeholder", t.SearchHint), ("aria-label", t.Search));
            html.Element("button", t.SearchButton, ("type", "submit"));
            html.Close("form");
        }
        html.Close("header");
        html.Open("main", ("id", "main"));
        return html;
    }

    private static Page End(Html html, SiteLinks links, int status = 200)
    {
        var t = WebTexts.For(links.Lang);
        html.Close("main").Open("footer").Text("KernelDigest · ").Link(links.Page(""), t.Home).Markup(" · ")
            .Link(links.File("feed.atom"), t.Feed, ("type", "application/atom+xml")).Close("footer");
        html.Markup("</body></html>\n");
        return new Page(html.ToString(), status);
    }
}
