using KernelDigest.Bot.DiscordChat;
using KernelDigest.Bot.Reports;
using KernelDigest.Bot.TelegramChat;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;

namespace KernelDigest.Bot.Tests.Web;

/// <summary>With <c>Web:BaseUrl</c>, chat answers link each entry to its archive page; without it nothing changes.</summary>
public sealed class ChatLinksTests
{
    private const string Page = "https://kernel.example.org/archive/reports/2020-09/introducethe-tdp-mmu";

    private static readonly ReportLibrary Library = ReportsSetup.CreateLibrary(new ReportsOptions
    {
        Directory = Path.Combine(BotProcess.RepoRoot, "config", "reports"),
        SubsystemsFile = Path.Combine(BotProcess.RepoRoot, "config", "subsystems.yaml"),
        GlossaryFile = Path.Combine(BotProcess.RepoRoot, "config", "glossary.yaml"),
        IndexCacheDirectory = null,
    });

    private static readonly ArchiveLinks Links = new(new Uri("https://kernel.example.org/archive"));

    private static Reply Patch(ReportPresentation? presentation, string text = "TDP MMU") =>
        new ReportCommands(Library, presentation).Patch(Inbound.FromText("/patch " + text, Inbound.ConsoleChat, Lang.En)!, new ParsedCommand("patch", text, 1));

    [Fact]
    public void A_patch_result_carries_its_page_and_telegram_links_the_title_to_it()
    {
        var reply = Patch(new ReportPresentation(Links));
        Assert.Equal(Page, reply.Items[0].Url);
        var html = string.Concat(TelegramRenderer.Render(reply).Select(m => m.Html));
        Assert.Contains($"<b><a href=\"{Page}\">Introducethe TDP MMU</a></b>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Discord_links_the_page_from_the_field_and_from_the_embed_title_when_it_shows_one_entry()
    {
        var reply = Patch(new ReportPresentation(Links), "TDP MMU subsystem:kvm");
        var embed = DiscordRenderer.Render(reply).SelectMany(m => m.Embeds!).First(e => e.Fields is { Count: 1 });
        Assert.Equal(Page, embed.Url);
        Assert.StartsWith($"[page]({Page})", embed.Fields![0].Value.Split('\n')[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_base_url_replies_are_as_before()
    {
        var reply = Patch(null);
        Assert.All(reply.Items, i => Assert.Null(i.Url));
        Assert.DoesNotContain("kernel.example.org", string.Concat(TelegramRenderer.Render(reply).Select(m => m.Html)), StringComparison.Ordinal);
        Assert.All(DiscordRenderer.Render(reply).SelectMany(m => m.Embeds!), e => Assert.Null(e.Url));
    }

    [Fact]
    public void A_short_digest_is_titles_linked_to_their_pages_and_month_stays_full()
    {
        var commands = new ReportCommands(Library, new ReportPresentation(Links, DigestStyle.Short));
        var report = Library.Current.Latest!;
        var digest = commands.ScheduledDigest(report, Lang.Zh, "/month 2020-09", "digest", null);
        Assert.Equal(15, digest.Items.Count);
        Assert.All(digest.Items, i => Assert.Null(i.Summary));
        Assert.All(digest.Items, i => Assert.StartsWith("https://kernel.example.org/archive/reports/2020-09/", i.Url, StringComparison.Ordinal));
        var shortText = string.Concat(TelegramRenderer.Render(digest).Select(m => m.Html));
        var full = commands.Month(Inbound.FromText("/month 2020-09", Inbound.ConsoleChat, Lang.Zh)!, new ParsedCommand("month", "2020-09", 1));
        var fullText = string.Concat(TelegramRenderer.Render(full).Select(m => m.Html));
        Assert.All(full.Items, i => Assert.NotNull(i.Summary));
        var summary = System.Net.WebUtility.HtmlEncode(report.Entries.First().OneLine);
        Assert.Contains(summary, fullText, StringComparison.Ordinal);
        Assert.DoesNotContain(summary, shortText, StringComparison.Ordinal);
        Assert.True(shortText.Length < fullText.Length, $"short digest {shortText.Length} chars, full {fullText.Length}");
        Assert.Contains(Page, shortText, StringComparison.Ordinal);
    }
}
