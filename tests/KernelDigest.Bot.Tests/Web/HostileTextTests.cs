using System.Net;
using System.Xml;
using System.ServiceModel.Syndication;
using KernelDigest.Core.Reports;
using Microsoft.Extensions.DependencyInjection;

namespace KernelDigest.Bot.Tests.Web;

/// <summary>
/// Report text and queries written to attack the page: they must reach the reader as text, never as markup or a live
/// link. Also: a draft month is never shown, and searches beyond the per-client limit get the 429 page.
/// </summary>
public sealed class HostileTextTests : IAsyncLifetime
{
    private const string Script = "<script>alert(1)</script>";
    private const string Breakout = "\"><img src=x onerror=alert(2)>";

    private readonly string _reports = Directory.CreateTempSubdirectory("kd-hostile-").FullName;
    private InProcessBot _bot = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(_reports, "2021-01.md"), $"""
            ---
            month: 2021-01
            title: "Hostile {Script}"
            contributors: ["{Breakout.Replace("\"", "\\\"", StringComparison.Ordinal)}"]
            ---

            # 虚拟化

            {Script} intro

            ## {Script} Title

            - authors: {Breakout}

            Summary {Breakout} and {Script}.

            ### Links

            - [{Breakout} label](javascript:alert(3))
            - [data](data:text/html,<script>alert(4)</script>)
            - [fine](https://lwn.net/Articles/1/)

            """);
        await File.WriteAllTextAsync(Path.Combine(_reports, "2021-02.md"), """
            ---
            month: 2021-02
            title: Secret draft month
            status: draft
            ---

            # 虚拟化

            ## Unpublished draft entry

            Not for readers yet.

            """);
        _bot = await InProcessBot.StartAsync(new Dictionary<string, string>
        {
            ["Reports:Directory"] = _reports,
            ["Web:SearchPermitsPerMinute"] = "3",
        });
    }

    public async Task DisposeAsync()
    {
        await _bot.DisposeAsync();
        Directory.Delete(_reports, recursive: true);
    }

    private HttpClient Client() => new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _bot.BaseUrl };

    [Fact]
    public async Task Hostile_report_text_and_links_appear_as_text_and_never_as_markup_or_live_links()
    {
        var library = _bot.Services.GetRequiredService<ReportLibrary>().Current;
        var entry = Assert.Single(library.Reports).Entries.Single();
        Assert.Contains(entry.Links, l => l.Url.StartsWith("javascript:", StringComparison.Ordinal)); // the attack did load

        using var http = Client();
        var month = await http.GetDocumentAsync("/reports/2021-01");
        var slug = month.QuerySelector("article.entry")!.Id!;
        foreach (var path in new[] { "/", "/reports/2021-01", "/reports/2021-01/" + slug, "/subsystems/virtualization", "/search?q=title" })
        {
            var page = await http.GetDocumentAsync(path);
            Assert.Empty(page.QuerySelectorAll("script"));
            Assert.Empty(page.QuerySelectorAll("img"));
            Assert.DoesNotContain(page.All, e => e.Attributes.Any(a => a.Name.StartsWith("on", StringComparison.Ordinal)));
            Assert.DoesNotContain(page.QuerySelectorAll("a[href]"), a => !IsSiteOrHttp(a.GetAttribute("href")!));
            Assert.Contains(Script, page.Body!.TextContent, StringComparison.Ordinal);
        }
        var entryPage = await http.GetDocumentAsync("/reports/2021-01/" + slug);
        Assert.Contains(Breakout, entryPage.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        var links = entryPage.QuerySelectorAll("ul.links li").ToList();
        Assert.Equal(3, links.Count);
        Assert.Null(links[0].QuerySelector("a")); // javascript: shown as its label only
        Assert.Null(links[1].QuerySelector("a")); // data: too
        Assert.Equal("https://lwn.net/Articles/1/", links[2].QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains(Breakout + " label", links[0].TextContent, StringComparison.Ordinal);
        Assert.Contains(Script, entryPage.Title, StringComparison.Ordinal);

        // The feed carries the same text as text, and still parses.
        using var reader = XmlReader.Create(await http.GetStreamAsync("/feed.atom"));
        var item = Assert.Single(SyndicationFeed.Load(reader).Items);
        Assert.Equal(Script + " Title", item.Title.Text);
    }

    [Fact]
    public async Task A_hostile_query_is_echoed_as_text_in_the_title_the_box_and_the_message()
    {
        using var http = Client();
        var query = Breakout + " " + Script;
        var page = await http.GetDocumentAsync("/search?q=" + Uri.EscapeDataString(query));
        Assert.Empty(page.QuerySelectorAll("script, img"));
        Assert.Equal(query, page.QuerySelector("form.search input[name=q]")!.GetAttribute("value"));
        Assert.Contains(Script, page.QuerySelector("h1")!.TextContent, StringComparison.Ordinal);
        var second = await http.GetDocumentAsync("/search?q=" + Uri.EscapeDataString("javascript:alert(1) month:2021-01"));
        Assert.Empty(second.QuerySelectorAll("a[href^='javascript']"));
    }

    [Fact]
    public async Task A_draft_month_is_on_no_page_in_no_feed_and_in_no_search()
    {
        using var http = Client();
        await http.GetDocumentAsync("/reports/2021-02", HttpStatusCode.NotFound);
        var home = await http.GetDocumentAsync("/");
        Assert.DoesNotContain("2021-02", home.Body!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Unpublished", await http.GetStringAsync("/feed.atom"), StringComparison.Ordinal);
        var search = await http.GetDocumentAsync("/search?q=Unpublished");
        Assert.Empty(search.QuerySelectorAll("ol.results li"));
    }

    [Fact]
    public async Task Searches_past_the_per_client_limit_get_the_429_page_and_other_pages_still_answer()
    {
        using var http = Client();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 10 && refused is null; i++)
        {
            var response = await http.GetAsync("/search?q=limit" + i);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
                refused = response;
            else
                response.Dispose();
        }
        Assert.NotNull(refused);
        using (refused)
        {
            Assert.True(statuses.Count >= 2, "the first search was already refused");
            Assert.Equal("60", refused.Headers.GetValues("Retry-After").Single());
            var page = Pages.Parse(await refused.Content.ReadAsStringAsync());
            Assert.Equal("请求太频繁", page.QuerySelector("h1")!.TextContent);
            Assert.NotNull(refused.Headers.GetValues("Content-Security-Policy").Single());
        }
        using var month = await http.GetAsync("/reports/2021-01");
        Assert.Equal(HttpStatusCode.OK, month.StatusCode);
    }

    /// <summary>A relative address into the site, or http(s): any other scheme (a colon before the path) is live script or data.</summary>
    private static bool IsSiteOrHttp(string href)
    {
        var end = href.IndexOfAny(['/', '?', '#']);
        var colon = href.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 || (end >= 0 && colon > end) || href.StartsWith("https://", StringComparison.Ordinal) || href.StartsWith("http://", StringComparison.Ordinal);
    }
}
