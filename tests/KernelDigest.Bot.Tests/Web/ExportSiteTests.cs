using System.ServiceModel.Syndication;
using System.Xml;

namespace KernelDigest.Bot.Tests.Web;

/// <summary><c>export-site DIR</c>: the archive as static files whose links all resolve within the folder.</summary>
public sealed class ExportSiteTests(ArchiveBot archive) : IClassFixture<ArchiveBot>
{
    [Fact]
    public async Task The_exported_site_has_every_page_in_both_languages_links_that_resolve_to_files_and_the_served_text()
    {
        var dir = Directory.CreateTempSubdirectory("kd-export-").FullName;
        try
        {
            var run = await BotProcess.RunAsync(["export-site", dir]);
            Assert.True(run.ExitCode == 0, run.Stderr);
            Assert.Contains("wrote", run.Stdout, StringComparison.Ordinal);
            foreach (var file in new[] { "index.html", "en/index.html", "reports/2020-09.html", "en/reports/2020-09/introducethe-tdp-mmu.html",
                         "subsystems.html", "subsystems/virtualization.html", "feed.atom", "subsystems/virtualization/feed.atom", "assets/site.css" })
                Assert.True(File.Exists(Path.Combine(dir, file)), $"{file} was not exported");
            Assert.Equal(15, Directory.GetFiles(Path.Combine(dir, "reports", "2020-09"), "*.html").Length);

            foreach (var file in Directory.GetFiles(dir, "*.html", SearchOption.AllDirectories))
            {
                var document = Pages.Parse(await File.ReadAllTextAsync(file));
                var where = Path.GetRelativePath(dir, file);
                Pages.AssertHeadingsInOrder(document, where);
                Assert.Null(document.QuerySelector("form")); // no server, no search
                foreach (var element in document.QuerySelectorAll("a[href], link[href]"))
                {
                    var href = element.GetAttribute("href")!;
                    if (href.StartsWith('#') || href.StartsWith("https://", StringComparison.Ordinal) || href.StartsWith("http://", StringComparison.Ordinal))
                        continue;
                    var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, href.Split('#')[0]));
                    Assert.True(File.Exists(target), $"{where}: {href} does not resolve to a file");
                }
            }

            // The same text as the served page.
            using var http = archive.Client("zh-CN");
            var served = await http.GetDocumentAsync("/reports/2020-09");
            var exported = Pages.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "reports", "2020-09.html")));
            Assert.Equal(served.QuerySelector("main")!.TextContent, exported.QuerySelector("main")!.TextContent);

            using var reader = XmlReader.Create(Path.Combine(dir, "feed.atom"));
            var feed = SyndicationFeed.Load(reader);
            Assert.Equal(15, feed.Items.Count());
            var link = feed.Items.First().Links.Single(l => l.RelationshipType == "alternate").Uri;
            Assert.True(File.Exists(Path.Combine(dir, link.OriginalString)), $"the feed links to {link}, which is not in the export");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
