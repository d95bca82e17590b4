using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace KernelDigest.Bot.Tests.Web;

/// <summary>One app serving the bundled 2020-09 report, shared by a class's web tests (they only read).</summary>
public sealed class ArchiveBot : IAsyncLifetime
{
    private InProcessBot? _bot;

    public InProcessBot Bot => _bot ?? throw new InvalidOperationException("not started");

    public Uri BaseUrl => Bot.BaseUrl;

    public async Task InitializeAsync() => _bot = await InProcessBot.StartAsync(new Dictionary<string, string>
    {
        ["Reports:Directory"] = Path.Combine(BotProcess.RepoRoot, "config", "reports"),
    });

    public async Task DisposeAsync()
    {
        if (_bot is not null)
            await _bot.DisposeAsync();
    }

    /// <summary>A client that does not follow redirects, so tests see 301s as a reader's browser would receive them.</summary>
    public HttpClient Client(string? acceptLanguage = null)
    {
        var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = BaseUrl };
        if (acceptLanguage is not null)
            http.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
        return http;
    }
}

/// <summary>Reading pages as a parser sees them.</summary>
internal static class Pages
{
    private static readonly HtmlParser Parser = new();

    public static async Task<IDocument> GetDocumentAsync(this HttpClient http, string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await http.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"GET {path}: {(int)response.StatusCode}, expected {(int)expected}\n{html}");
        return Parse(html);
    }

    public static IDocument Parse(string html) => Parser.ParseDocument(html);

    /// <summary>Headings as a screen reader lists them: one h1 first, and never a level skipped on the way down.</summary>
    public static void AssertHeadingsInOrder(IDocument document, string where)
    {
        var levels = document.QuerySelectorAll("h1, h2, h3, h4, h5, h6").Select(h => h.LocalName[1] - '0').ToList();
        Assert.True(levels.Count > 0 && levels[0] == 1, $"{where}: the first heading is not an h1 ({string.Join(",", levels)})");
        Assert.True(levels.Count(l => l == 1) == 1, $"{where}: more than one h1");
        for (var i = 1; i < levels.Count; i++)
            Assert.True(levels[i] <= levels[i - 1] + 1, $"{where}: h{levels[i - 1]} is followed by h{levels[i]}");
    }
}
