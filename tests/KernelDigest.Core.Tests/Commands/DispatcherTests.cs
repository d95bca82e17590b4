using KernelDigest.Core.Commands;
using KernelDigest.Core.Search;
using KernelDigest.Core.Tests.Search;

namespace KernelDigest.Core.Tests.Commands;

/// <summary>Every command, in Chinese and English, against the bundled 2020-09 report; asserts what the user sees.</summary>
public sealed class DispatcherTests(LibraryFixture fixture) : IClassFixture<LibraryFixture>
{
    private const string BotName = "KernelDigestBot";

    private static readonly string[] CommandNames = ["/patch", "/subsystem", "/month", "/latest", "/help", "/about"];

    private Reply Ask(string text, Lang lang = Lang.Zh, string? bot = null)
    {
        var reply = fixture.Ask(text, lang, bot);
        Assert.NotNull(reply);
        return reply;
    }

    private static string Render(Reply reply) => PlainText.Render(reply);

    // ---- /patch and plain text -----------------------------------------------------------------------------------

    [Theory]
    [InlineData(Lang.Zh, "搜索:")]
    [InlineData(Lang.En, "Search: ")]
    public void Patch_ListsResultsUnderSearchTitle(Lang lang, string titlePrefix)
    {
        var reply = Ask("/patch TDP MMU", lang);
        Assert.Equal("patch", reply.Command);
        Assert.False(reply.IsError);
        Assert.Equal(titlePrefix + "TDP MMU", reply.Title);
        Assert.Equal("Introducethe TDP MMU", reply.Items[0].Title);
        var item = reply.Items[0];
        Assert.Contains("Ben Gardon", item.Meta, StringComparison.Ordinal);
        Assert.Contains("2020-09", item.Meta, StringComparison.Ordinal);
        Assert.NotNull(item.Entry);
        Assert.Equal(("2020-09", "virtualization", "Introducethe TDP MMU"), (item.Entry.Month, item.Entry.Subsystem, item.Entry.Title));
        Assert.Equal(["Ben Gardon"], item.Entry.Authors);
        Assert.True(item.Entry.Score > 0);

        var text = Render(reply);
        Assert.StartsWith(titlePrefix + "TDP MMU\n", text, StringComparison.Ordinal);
        Assert.Contains("1. Introducethe TDP MMU", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Lang.Zh, "第 1/2 页,共 8 条", "更多结果:/patch 虚拟机 page:2")]
    [InlineData(Lang.En, "Page 1/2, 8 results", "More: /patch 虚拟机 page:2")]
    public void Patch_FirstPageShowsPageInfoAndNextCommand(Lang lang, string pageLine, string more)
    {
        var reply = Ask("/patch 虚拟机", lang);
        Assert.Equal(ReportCommands.PageSize, reply.Items.Count);
        Assert.Equal(new ReplyPage(1, 2, 8, new SearchRequest("虚拟机")), reply.Page);
        var text = Render(reply);
        Assert.Contains(pageLine, text, StringComparison.Ordinal);
        Assert.Contains(more, text, StringComparison.Ordinal);
        Assert.Contains("\n1. ", text, StringComparison.Ordinal);
        Assert.Contains("\n5. ", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Lang.Zh, "第 2/2 页,共 8 条")]
    [InlineData(Lang.En, "Page 2/2, 8 results")]
    public void Patch_SecondPageContinuesNumberingWithOtherEntries(Lang lang, string pageLine)
    {
        var first = Ask("/patch 虚拟机", lang);
        var second = Ask("/patch 虚拟机 page:2", lang);
        Assert.Equal(2, second.Page?.Number);
        Assert.Equal(3, second.Items.Count);
        Assert.Empty(first.Items.Select(i => i.Title).Intersect(second.Items.Select(i => i.Title)));
        Assert.Equal(lang == Lang.Zh ? "搜索:虚拟机" : "Search: 虚拟机", second.Title);

        var text = Render(second);
        Assert.Contains("\n6. ", text, StringComparison.Ordinal);
        Assert.Contains("\n8. ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n1. ", text, StringComparison.Ordinal);
        Assert.Contains(pageLine, text, StringComparison.Ordinal);
        Assert.DoesNotContain("page:3", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Patch_PagePastTheEnd_ShowsTheLastPage()
    {
        var reply = Ask("/patch 虚拟机 page:9");
        Assert.False(reply.IsError);
        Assert.Equal(2, reply.Page?.Number);
        Assert.Equal(3, reply.Items.Count);
        Assert.Contains("第 2/2 页", Render(reply), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Lang.Zh, "没有找到与「qwxzvkjh」相关的补丁")]
    [InlineData(Lang.En, "No patches found for \"qwxzvkjh\"")]
    public void Patch_NoResults_SaysSo(Lang lang, string message)
    {
        var reply = Ask("/patch qwxzvkjh", lang);
        Assert.Empty(reply.Items);
        Assert.Null(reply.Page);
        Assert.Contains(message, Render(reply), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Lang.Zh)]
    [InlineData(Lang.En)]
    public void PlainText_IsASearch(Lang lang)
    {
        var plain = Ask("fuse passthrough", lang);
        var command = Ask("/patch fuse passthrough", lang);
        Assert.Equal("patch", plain.Command);
        Assert.Equal(command.Title, plain.Title);
        Assert.Equal(command.Items.Select(i => i.Title), plain.Items.Select(i => i.Title));
        Assert.Equal("fuse支持 passthrough 读/写", plain.Items[0].Title);
    }

    [Theory]
    [InlineData("/search bus lock")]
    [InlineData("/s bus lock")]
    [InlineData("/p bus lock")]
    [InlineData("/PATCH bus lock")]
    [InlineData("/Patch bus lock")]
    public void Patch_AliasesAndCaseAreAccepted(string text)
    {
        var reply = Ask(text);
        Assert.Equal("patch", reply.Command);
        Assert.Equal("add bus lock VM exit support", reply.Items[0].Title);
    }

    [Fact]
    public void Patch_WithFilters_AppliesThem()
    {
        var reply = Ask("/patch 中断 subsystem:arch month:2020-09");
        Assert.NotEmpty(reply.Items);
        Assert.All(reply.Items, i => Assert.Equal("architecture", i.Entry?.Subsystem));
    }

    // ---- addressing ----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("/patch@KernelDigestBot fuse")]
    [InlineData("/patch@kerneldigestbot fuse")]
    public void Command_AddressedToThisBot_IsAnswered(string text)
    {
        var reply = Ask(text, Lang.Zh, BotName);
        Assert.Equal("patch", reply.Command);
        Assert.Equal("搜索:fuse", reply.Title);
        Assert.NotEmpty(reply.Items);
    }

    [Theory]
    [InlineData("/patch@otherbot fuse")]
    [InlineData("/help@otherbot")]
    [InlineData("/frobnicate@otherbot")]
    public void Command_AddressedToAnotherBot_IsIgnored(string text) =>
        Assert.Null(fixture.Ask(text, Lang.Zh, BotName));

    // ---- /subsystem ----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(Lang.Zh, "子系统 · 2020-09", "虚拟化 (virtualization)", "共 8 个条目,2020-09 8 个", "文件系统 (filesystems)", "共 5 个条目,2020-09 5 个", "体系架构 (architecture)", "共 2 个条目,2020-09 2 个")]
    [InlineData(Lang.En, "Subsystems · 2020-09", "Virtualization (virtualization)", "8 entries in all, 8 in 2020-09", "Filesystems (filesystems)", "5 entries in all, 5 in 2020-09", "Architecture (architecture)", "2 entries in all, 2 in 2020-09")]
    public void Subsystem_WithoutName_ListsAllSubsystemsWithCounts(
        Lang lang, string title, string virt, string virtCounts, string fs, string fsCounts, string arch, string archCounts)
    {
        var reply = Ask("/subsystem", lang);
        Assert.Equal("subsystem", reply.Command);
        Assert.False(reply.IsError);
        Assert.Equal(title, reply.Title);
        // Subsystems with entries are listed; the ones no report covers yet share one line, by key.
        Assert.Equal(3, reply.Items.Count);
        Assert.Equal([(virt, virtCounts), (fs, fsCounts), (arch, archCounts)], reply.Items.Take(3).Select(i => (i.Title, i.Meta)));

        var text = Render(reply);
        Assert.Contains($"1. {virt}\n   {virtCounts}\n", text, StringComparison.Ordinal);
        Assert.Contains($"2. {fs}\n   {fsCounts}\n", text, StringComparison.Ordinal);
        Assert.Contains($"3. {arch}\n   {archCounts}\n", text, StringComparison.Ordinal);
        foreach (var s in fixture.Catalog.All)
            Assert.Contains(s.Key, text, StringComparison.Ordinal);
        Assert.Contains(lang == Lang.En ? "No entries yet: " : "暂无条目:", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Lang.Zh, "/subsystem kvm", "虚拟化 · 2020-09")]
    [InlineData(Lang.En, "/subsystem kvm", "Virtualization · 2020-09")]
    [InlineData(Lang.Zh, "/subsystem kvm 2020-09", "虚拟化 · 2020-09")]
    [InlineData(Lang.En, "/subsystem 2020-09 kvm", "Virtualization · 2020-09")]
    [InlineData(Lang.Zh, "/subsystem 虚拟化", "虚拟化 · 2020-09")]
    [InlineData(Lang.En, "/sub Virtualization", "Virtualization · 2020-09")]
    public void Subsystem_Kvm_ListsTheEightVirtualizationEntries(Lang lang, string text, string title)
    {
        var reply = Ask(text, lang);
        Assert.Equal("subsystem", reply.Command);
        Assert.False(reply.IsError);
        Assert.Equal(title, reply.Title);
        Assert.Equal(8, reply.Items.Count);
        // The virtualization section has no introduction of its own.
        Assert.Empty(reply.Body);
        Assert.Equal("Hyper-V:Support PAGE_SIZE larger than 4K", reply.Items[0].Title);
        Assert.Equal("Introducing Linux root partition support for Microsoft Hypervisor", reply.Items[^1].Title);
        Assert.All(reply.Items, i => Assert.Equal("virtualization", i.Entry?.Subsystem));
        var rendered = Render(reply);
        Assert.StartsWith(title + "\n", rendered, StringComparison.Ordinal);
        Assert.Contains("8. Introducing Linux root partition", rendered, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Lang.Zh, "体系架构 · 2020-09")]
    [InlineData(Lang.En, "Architecture · 2020-09")]
    public void Subsystem_Arch_ShowsTheSectionIntroAndItsEntries(Lang lang, string title)
    {
        var reply = Ask("/subsystem arch", lang);
        Assert.Equal(title, reply.Title);
        var intro = Assert.Single(reply.Body);
        Assert.Contains("31", intro, StringComparison.Ordinal);
        Assert.Equal(["arm/arm64: Turning IPIs into normal interrupts", "Tag application address space for devices"], reply.Items.Select(i => i.Title));
        var text = Render(reply);
        Assert.Contains("本月和架构相关的补丁共有31个", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Lang.Zh, "没有名为「nosuchthing」的子系统。", "可用的子系统")]
    [InlineData(Lang.En, "There is no subsystem called \"nosuchthing\".", "Known subsystems")]
    public void Subsystem_Unknown_ListsKnownSubsystems(Lang lang, string title, string known)
    {
        var reply = Ask("/subsystem nosuchthing", lang);
        Assert.True(reply.IsError);
        Assert.Equal(title, reply.Title);
        Assert.Equal(fixture.Catalog.All.Count, reply.Items.Count);
        var text = Render(reply);
        Assert.Contains(known, text, StringComparison.Ordinal);
        foreach (var key in new[] { "virtualization", "filesystems", "architecture", "mm", "networking" })
            Assert.Contains(key + " · ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Patch_UnknownSubsystemFilter_ListsKnownSubsystems()
    {
        var reply = Ask("/patch fuse subsystem:nosuchthing", Lang.En);
        Assert.True(reply.IsError);
        Assert.Contains("nosuchthing", reply.Title, StringComparison.Ordinal);
        Assert.Contains(reply.Items, i => i.Title.StartsWith("filesystems", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/subsystem kvm 2019-01", Lang.Zh, "没有 2019-01 的月报。")]
    [InlineData("/subsystem kvm 2020-13", Lang.En, "\"2020-13\" is not a month")]
    public void Subsystem_BadOrMissingMonth_NamesLoadedMonths(string text, Lang lang, string title)
    {
        var reply = Ask(text, lang);
        Assert.True(reply.IsError);
        Assert.Contains(title, reply.Title, StringComparison.Ordinal);
        Assert.Contains("2020-09", Render(reply), StringComparison.Ordinal);
    }

    // ---- /month and /latest --------------------------------------------------------------------------------------

    [Theory]
    [InlineData("/month", Lang.Zh, "month", "总第 4 期 · 贡献者:陈玮、张健、廖威雄")]
    [InlineData("/month 2020-09", Lang.Zh, "month", "总第 4 期 · 贡献者:陈玮、张健、廖威雄")]
    [InlineData("/month 2020-9", Lang.En, "month", "Issue 4 · Contributors: 陈玮、张健、廖威雄")]
    [InlineData("/latest", Lang.Zh, "latest", "总第 4 期 · 贡献者:陈玮、张健、廖威雄")]
    [InlineData("/latest", Lang.En, "latest", "Issue 4 · Contributors: 陈玮、张健、廖威雄")]
    public void Month_ShowsTheDigestGroupedBySection(string text, Lang lang, string command, string credits)
    {
        var reply = Ask(text, lang);
        Assert.Equal(command, reply.Command);
        Assert.False(reply.IsError);
        Assert.Equal("Linux阅码场 - Linux内核月报(2020年09月)", reply.Title);
        Assert.Equal([credits], reply.Body);
        Assert.Equal(15, reply.Items.Count);
        Assert.Equal(["虚拟化", "文件系统和Block Layer", "体系架构"], reply.Groups.Select(g => g.Heading));
        Assert.Equal([8, 5, 2], reply.Groups.Select(g => g.ItemCount));

        var rendered = Render(reply);
        Assert.StartsWith("Linux阅码场 - Linux内核月报(2020年09月)\n" + credits + "\n", rendered, StringComparison.Ordinal);
        Assert.Contains("■ 虚拟化\n• Hyper-V:Support PAGE_SIZE larger than 4K", rendered, StringComparison.Ordinal);
        Assert.Contains("■ 文件系统和Block Layer\n• pwritev2新加标志RWF_NOAPPEND", rendered, StringComparison.Ordinal);
        Assert.Contains("■ 体系架构\n本月和架构相关的补丁共有31个", rendered, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/month 2020-13", Lang.Zh, "「2020-13」不是有效的月份")]
    [InlineData("/month 2020-13", Lang.En, "\"2020-13\" is not a month")]
    [InlineData("/month september", Lang.En, "\"september\" is not a month")]
    [InlineData("/month 2019-01", Lang.Zh, "没有 2019-01 的月报。")]
    [InlineData("/month 2019-01", Lang.En, "There is no report for 2019-01.")]
    [InlineData("/patch fuse month:2019-01", Lang.En, "There is no report for 2019-01.")]
    [InlineData("/patch fuse month:2020-13", Lang.Zh, "「2020-13」不是有效的月份")]
    public void Month_MalformedOrNotLoaded_NamesTheLoadedMonths(string text, Lang lang, string message)
    {
        var reply = Ask(text, lang);
        Assert.True(reply.IsError);
        Assert.Empty(reply.Items);
        var rendered = Render(reply);
        Assert.Contains(message, rendered, StringComparison.Ordinal);
        Assert.Contains(lang == Lang.Zh ? "已载入的月份:2020-09" : "Months loaded: 2020-09", rendered, StringComparison.Ordinal);
    }

    // ---- /help, /about, unknown commands -------------------------------------------------------------------------

    [Theory]
    [InlineData("/help", Lang.Zh, "KernelDigest:Linux 内核月报机器人")]
    [InlineData("/help", Lang.En, "KernelDigest: the Linux kernel monthly report bot")]
    [InlineData("/start", Lang.En, "KernelDigest: the Linux kernel monthly report bot")]
    public void Help_ListsEveryCommand(string text, Lang lang, string title)
    {
        var reply = Ask(text, lang);
        Assert.Equal("help", reply.Command);
        Assert.False(reply.IsError);
        Assert.Equal(title, reply.Title);
        var rendered = Render(reply);
        foreach (var name in CommandNames)
            Assert.Contains("\n" + name, rendered, StringComparison.Ordinal);
        Assert.Contains(BotTexts.For(lang).HelpFooter, rendered, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Lang.Zh, "关于 KernelDigest", "已载入 1 期月报(2020-09 至 2020-09),共 15 个条目。")]
    [InlineData(Lang.En, "About KernelDigest", "1 report loaded (2020-09 to 2020-09), 15 entries.")]
    public void About_CountsReportsAndEntries(Lang lang, string title, string counts)
    {
        var reply = Ask("/about", lang);
        Assert.Equal("about", reply.Command);
        Assert.Equal(title, reply.Title);
        var rendered = Render(reply);
        Assert.Contains(counts, rendered, StringComparison.Ordinal);
        Assert.Contains("Linux阅码场", rendered, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Lang.Zh, "未知命令 /frobnicate。可用命令如下:")]
    [InlineData(Lang.En, "Unknown command /frobnicate. These are the commands:")]
    public void UnknownCommand_ExplainsAndListsTheCommands(Lang lang, string message)
    {
        var reply = Ask("/frobnicate now", lang);
        Assert.True(reply.IsError);
        var rendered = Render(reply);
        Assert.Contains(message, rendered, StringComparison.Ordinal);
        foreach (var name in CommandNames)
            Assert.Contains("\n" + name, rendered, StringComparison.Ordinal);
    }

    // ---- bad input -----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("/patch", Lang.Zh, "用法:/patch <关键词>")]
    [InlineData("/patch   ", Lang.En, "Usage: /patch <keywords>")]
    [InlineData("/patch page:2", Lang.En, "Usage: /patch <keywords>")]
    public void Patch_Empty_ShowsUsage(string text, Lang lang, string usage)
    {
        var reply = Ask(text, lang);
        Assert.True(reply.IsError);
        Assert.Empty(reply.Items);
        Assert.StartsWith(usage, Render(reply), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10_000, Lang.Zh, "/patch ")]
    [InlineData(10_000, Lang.En, "/patch ")]
    [InlineData(10_000, Lang.En, "")]
    [InlineData(PatchQuery.MaxLength + 1, Lang.En, "/patch ")]
    [InlineData(PatchQuery.MaxLength + 1, Lang.Zh, "")]
    public void Patch_TooLong_IsRefusedNamingTheLimit(int length, Lang lang, string prefix)
    {
        var reply = Ask(prefix + new string('x', length), lang);
        Assert.True(reply.IsError);
        Assert.Empty(reply.Items);
        var rendered = Render(reply);
        Assert.Contains(PatchQuery.MaxLength.ToString(System.Globalization.CultureInfo.InvariantCulture), rendered, StringComparison.Ordinal);
        Assert.Contains(lang == Lang.Zh ? "查询太长了" : "too long", rendered, StringComparison.Ordinal);
        Assert.DoesNotContain("xxxxxxxxxx", rendered, StringComparison.Ordinal);
    }

    [Fact]
    public void Patch_AtTheLimit_IsAnswered()
    {
        var query = "fuse " + new string('x', PatchQuery.MaxLength - 5);
        var reply = Ask("/patch " + query);
        Assert.False(reply.IsError);
        Assert.Equal("patch", reply.Command);
    }

    [Theory]
    [InlineData(Lang.Zh)]
    [InlineData(Lang.En)]
    public void ControlCharactersInQuery_AreShownAsVisiblePictures(Lang lang)
    {
        var reply = Ask("/patch fuse\u001b[31m passthrough\0", lang);
        var rendered = Render(reply);
        Assert.Contains("fuse␛[31m passthrough␀", rendered, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', rendered);
        Assert.DoesNotContain('\0', rendered);
        Assert.Equal("fuse支持 passthrough 读/写", reply.Items[0].Title);
    }

    [Fact]
    public void ControlCharactersInQuery_AreVisibleInTheNextPageHint()
    {
        var reply = Ask("/patch 虚拟机\u001b[2J");
        Assert.True(reply.Page is { HasNext: true });
        var rendered = Render(reply);
        Assert.Contains("更多结果:/patch 虚拟机␛[2J page:2", rendered, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', rendered);
    }

    [Theory]
    [InlineData("/patch qwxzvkjh\u001b]0;pwned\u0007")]
    [InlineData("/frobnicate\u001b[31m")]
    [InlineData("/subsystem nosuch\u001b[31m")]
    [InlineData("/month 2020\u001b[31m")]
    [InlineData("/month \u0000")]
    public void ControlCharacters_NeverReachTheRenderedText(string text)
    {
        var rendered = Render(Ask(text));
        Assert.DoesNotContain(rendered, c => char.IsControl(c) && c != '\n');
        // The user still sees that something was there: a control picture (␛, ␀, ␇).
        Assert.Contains(rendered, c => c is >= '\u2400' and <= '\u2421');
    }

    [Theory]
    [InlineData(Lang.Zh, "搜索:<b>fuse</b> & passthrough")]
    [InlineData(Lang.En, "Search: <b>fuse</b> & passthrough")]
    public void MarkupInQuery_IsShownLiterally(Lang lang, string title)
    {
        var reply = Ask("/patch <b>fuse</b> & passthrough", lang);
        Assert.Equal(title, reply.Title);
        var rendered = Render(reply);
        Assert.StartsWith(title + "\n", rendered, StringComparison.Ordinal);
        Assert.DoesNotContain("&amp;", rendered, StringComparison.Ordinal);
        Assert.DoesNotContain("&lt;", rendered, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Lang.Zh, "没有找到与「<script>&nbsp;qwxzvkjh」相关的补丁")]
    [InlineData(Lang.En, "No patches found for \"<script>&nbsp;qwxzvkjh\"")]
    public void MarkupInQuery_WithoutResults_IsShownLiterally(Lang lang, string message)
    {
        var rendered = Render(Ask("/patch <script>&nbsp;qwxzvkjh", lang));
        Assert.Contains(message, rendered, StringComparison.Ordinal);
    }
}
