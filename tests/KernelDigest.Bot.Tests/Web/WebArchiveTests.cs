using System.Net;
using System.Net.Http.Headers;
using System.ServiceModel.Syndication;
using System.Xml;
using AngleSharp.Dom;

namespace KernelDigest.Bot.Tests.Web;

/// <summary>The archive as a reader and a parser see it: every page reachable, well formed, cached and safe.</summary>
public sealed class WebArchiveTests(ArchiveBot archive) : IClassFixture<ArchiveBot>
{
    [Theory]
    [InlineData("zh-CN", "zh-CN", "子系统")]
    [InlineData("en-GB,en;q=0.9", "en", "Subsystems")]
    public async Task Every_page_linked_from_home_answers_with_its_language_ordered_headings_and_links_that_resolve(string acceptLanguage, string lang, string navWord)
    {
        using var http = archive.Client(acceptLanguage);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<Uri>([new Uri(archive.BaseUrl, "/")]);
        var entryPages = new HashSet<string>(StringComparer.Ordinal);
        while (queue.Count > 0)
        {
            var url = queue.Dequeue();
            if (!seen.Add(url.PathAndQuery))
                continue;
            using var response = await http.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url.PathAndQuery} (linked from the site) answered {(int)response.StatusCode}");
            if (response.Content.Headers.ContentType?.MediaType != "text/html")
                continue;
            var document = Pages.Parse(await response.Content.ReadAsStringAsync());
            var where = url.PathAndQuery;
            var expectedLang = url.Query.Contains("lang=en", StringComparison.Ordinal) ? "en"
                : url.Query.Contains("lang=zh", StringComparison.Ordinal) ? "zh-CN" : lang;
            Assert.Equal(expectedLang, document.DocumentElement.GetAttribute("lang"));
            Pages.AssertHeadingsInOrder(document, where);
            Assert.Empty(document.QuerySelectorAll("script"));
            if (url.AbsolutePath.Count(c => c == '/') == 3 && url.AbsolutePath.StartsWith("/reports/", StringComparison.Ordinal))
                entryPages.Add(url.AbsolutePath);
            if (url.Query.Length == 0)
                Assert.Contains(document.QuerySelectorAll("nav.site a"), a => a.TextContent == navWord);
            foreach (var a in document.QuerySelectorAll("a[href], link[href]"))
            {
                var href = a.GetAttribute("href")!;
                if (href.StartsWith('#'))
                {
                    Assert.True(document.GetElementById(href[1..]) is not null, $"{where}: anchor {href} has no target");
                    continue;
                }
                var target = new Uri(url, href);
                if (target.Authority != archive.BaseUrl.Authority)
                    continue; // report links to lore, LWN, …
                queue.Enqueue(new Uri(target.GetLeftPart(UriPartial.Query)));
            }
        }
        Assert.Equal(15, entryPages.Count);
        Assert.Contains("/reports/2020-09/introducethe-tdp-mmu", seen);
        Assert.Contains("/subsystems/virtualization", seen);
        Assert.Contains("/feed.atom", seen);
    }

    [Fact]
    public async Task A_month_lists_its_15_entries_at_addresses_derived_from_their_titles()
    {
        using var http = archive.Client("zh-CN");
        var month = await http.GetDocumentAsync("/reports/2020-09");
        var entries = month.QuerySelectorAll("article.entry").ToList();
        Assert.Equal(15, entries.Count);
        Assert.Equal(15, entries.Select(e => e.Id).Distinct().Count());
        var tdp = Assert.Single(entries, e => e.Id == "introducethe-tdp-mmu");
        Assert.Equal("../reports/2020-09/introducethe-tdp-mmu", tdp.QuerySelector("h3 a")!.GetAttribute("href"));
        // Chinese-led titles keep their Latin words; the address is the same on every start.
        Assert.Contains(entries, e => e.Id == "vfs-fchmodat2");

        var entry = await http.GetDocumentAsync("/reports/2020-09/introducethe-tdp-mmu");
        Assert.Equal("Introducethe TDP MMU", entry.QuerySelector("h1")!.TextContent);
        Assert.Contains("Ben Gardon", entry.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        var busLock = await http.GetDocumentAsync("/reports/2020-09/add-bus-lock-vm-exit-support");
        var lore = Assert.Single(busLock.QuerySelectorAll("main ul.links a[href]"), a => a.GetAttribute("href")!.StartsWith("https://lore.kernel.org/", StringComparison.Ordinal));
        Assert.Equal("noopener noreferrer nofollow", lore.GetAttribute("rel"));
        await http.GetDocumentAsync("/reports/2020-09/no-such-entry", HttpStatusCode.NotFound);
        await http.GetDocumentAsync("/reports/2019-01", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Search_uses_the_patch_syntax_with_filters_highlights_and_pages()
    {
        using var http = archive.Client("en");
        var tdp = await http.GetDocumentAsync("/search?q=" + Uri.EscapeDataString("TDP MMU subsystem:kvm"));
        var hit = Assert.Single(tdp.QuerySelectorAll("ol.results > li"));
        Assert.Equal("Introducethe TDP MMU", hit.QuerySelector("h2 a")!.TextContent);
        Assert.Contains(hit.QuerySelectorAll("mark"), m => m.TextContent is "TDP" or "MMU");

        // A filter alone lists the month: 15 entries, 10 a page.
        var first = await http.GetDocumentAsync("/search?q=month:2020-09");
        Assert.Equal(10, first.QuerySelectorAll("ol.results > li").Length);
        var next = first.QuerySelector("nav.pager a[rel=next]")!.GetAttribute("href")!;
        var second = await http.GetDocumentAsync("/" + next);
        Assert.Equal(5, second.QuerySelectorAll("ol.results > li").Length);
        Assert.Equal("11", second.QuerySelector("ol.results")!.GetAttribute("start"));
        Assert.NotNull(second.QuerySelector("nav.pager a[rel=prev]"));
        Assert.Empty(first.QuerySelectorAll("ol.results h2 a").Select(a => a.TextContent).Intersect(second.QuerySelectorAll("ol.results h2 a").Select(a => a.TextContent)));

        var unknown = await http.GetDocumentAsync("/search?q=subsystem:nosuch", HttpStatusCode.BadRequest);
        Assert.Contains("nosuch", unknown.QuerySelector("p.error")!.TextContent, StringComparison.Ordinal);
        var tooLong = await http.GetDocumentAsync("/search?q=" + new string('a', 257), HttpStatusCode.BadRequest);
        Assert.Contains("256", tooLong.QuerySelector("p.error")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_language_switch_keeps_the_page_and_the_choice_travels_with_the_links()
    {
        using var http = archive.Client("zh-CN");
        var zh = await http.GetDocumentAsync("/subsystems/virtualization");
        var switchLink = zh.QuerySelector("a.lang")!.GetAttribute("href")!;
        Assert.Equal("../subsystems/virtualization?lang=en", switchLink);
        var en = await http.GetDocumentAsync("/subsystems/" + switchLink[3..].Split('/')[1]);
        Assert.Equal("en", en.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Virtualization", en.QuerySelector("h1")!.TextContent);
        Assert.All(en.QuerySelectorAll("main a[href^='../reports/']"), a => Assert.EndsWith("?lang=en", a.GetAttribute("href"), StringComparison.Ordinal));
        Assert.Equal("en", en.QuerySelector("form.search input[name=lang]")!.GetAttribute("value"));
    }

    [Fact]
    public async Task Pages_revalidate_with_etag_and_last_modified_answer_head_and_carry_the_security_headers()
    {
        using var http = archive.Client("zh-CN");
        using var first = await http.GetAsync("/reports/2020-09");
        var etag = first.Headers.ETag!;
        var modified = first.Content.Headers.LastModified!.Value;
        Assert.Contains("default-src 'none'", first.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.DoesNotContain("script-src", first.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", first.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("strict-origin-when-cross-origin", first.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("Accept-Language", first.Headers.Vary);

        using (var again = new HttpRequestMessage(HttpMethod.Get, "/reports/2020-09"))
        {
            again.Headers.IfNoneMatch.Add(etag);
            using var response = await http.SendAsync(again);
            Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        }
        using (var since = new HttpRequestMessage(HttpMethod.Get, "/reports/2020-09"))
        {
            since.Headers.IfModifiedSince = modified;
            using var response = await http.SendAsync(since);
            Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        }
        using (var older = new HttpRequestMessage(HttpMethod.Get, "/reports/2020-09"))
        {
            older.Headers.IfModifiedSince = modified.AddSeconds(-1);
            using var response = await http.SendAsync(older);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        using (var english = new HttpRequestMessage(HttpMethod.Get, "/reports/2020-09"))
        {
            // The English page is another representation: the Chinese tag does not validate it.
            english.Headers.AcceptLanguage.ParseAdd("en");
            english.Headers.IfNoneMatch.Add(etag);
            using var response = await http.SendAsync(english);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.NotEqual(etag, response.Headers.ETag);
        }
        using (var head = new HttpRequestMessage(HttpMethod.Head, "/reports/2020-09"))
        {
            using var response = await http.SendAsync(head);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(etag, response.Headers.ETag);
            Assert.Equal(first.Content.Headers.ContentLength, response.Content.Headers.ContentLength);
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        }
        using var css = await http.GetAsync("/assets/site.css");
        Assert.Equal("text/css", css.Content.Headers.ContentType!.MediaType);
        Assert.Contains("prefers-color-scheme: dark", await css.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_feeds_parse_back_with_an_entry_per_report_entry_stable_ids_categories_and_links_to_the_pages()
    {
        using var http = archive.Client();
        using var response = await http.GetAsync("/feed.atom");
        Assert.Equal("application/atom+xml", response.Content.Headers.ContentType!.MediaType);
        using var reader = XmlReader.Create(await response.Content.ReadAsStreamAsync());
        var formatter = new Atom10FeedFormatter();
        Assert.True(formatter.CanRead(reader));
        formatter.ReadFrom(reader);
        var feed = formatter.Feed;
        var items = feed.Items.ToList();
        Assert.Equal(15, items.Count);
        Assert.Equal(15, items.Select(i => i.Id).Distinct().Count());
        Assert.All(items, i => Assert.StartsWith("urn:uuid:", i.Id, StringComparison.Ordinal));
        Assert.All(items, i => Assert.NotEqual(default, i.LastUpdatedTime));
        Assert.All(items, i => Assert.NotEmpty(i.Authors));
        Assert.All(items, i => Assert.Contains(i.Categories, c => c.Name == "2020-09"));
        var tdp = Assert.Single(items, i => i.Title.Text == "Introducethe TDP MMU");
        Assert.Contains(tdp.Categories, c => c.Name == "virtualization");
        var page = Assert.Single(tdp.Links, l => l.RelationshipType == "alternate").Uri;
        Assert.Equal("/reports/2020-09/introducethe-tdp-mmu", page.AbsolutePath);
        using (var entryPage = await http.GetAsync(page))
            Assert.Equal(HttpStatusCode.OK, entryPage.StatusCode);

        // A subsystem's feed by an alias: sent on to the key's address, then only that subsystem's entries.
        using var alias = await http.GetAsync("/subsystems/kvm/feed.atom");
        Assert.Equal(HttpStatusCode.MovedPermanently, alias.StatusCode);
        var location = new Uri(new Uri(archive.BaseUrl, "/subsystems/kvm/feed.atom"), alias.Headers.Location!);
        Assert.Equal("/subsystems/virtualization/feed.atom", location.AbsolutePath);
        using var kvmReader = XmlReader.Create(await http.GetStreamAsync(location));
        var kvm = SyndicationFeed.Load(kvmReader);
        Assert.Equal(8, kvm.Items.Count());
        Assert.All(kvm.Items, i => Assert.Contains(i.Categories, c => c.Name == "virtualization"));
        Assert.Contains(kvm.Items, i => i.Id == tdp.Id); // the same entry keeps its id in every feed
    }

    [Fact]
    public async Task Unknown_addresses_get_the_archives_404_page_and_other_endpoints_are_untouched()
    {
        using var http = archive.Client("en");
        var missing = await http.GetDocumentAsync("/wp-login.php", HttpStatusCode.NotFound);
        Assert.Equal("Page not found", missing.QuerySelector("h1")!.TextContent);
        using var live = await http.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var metrics = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal(new MediaTypeHeaderValue("text/plain").MediaType, metrics.Content.Headers.ContentType!.MediaType);
    }
}
