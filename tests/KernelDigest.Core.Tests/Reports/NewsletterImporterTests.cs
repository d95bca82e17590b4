using System.Text;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Reports.Import;
using KernelDigest.Core.Subsystems;

namespace KernelDigest.Core.Tests.Reports;

public sealed class NewsletterImporterTests
{
    private static readonly SubsystemCatalog Catalog = new([
        new Subsystem("virtualization", "虚拟化", "Virtualization", ["kvm", "virt"]),
        new Subsystem("filesystems", "文件系统", "Filesystems", ["fs", "vfs"]),
        new Subsystem("architecture", "体系架构", "Architecture", ["arch"]),
    ]);

    private static readonly Lazy<string> FixtureText = new(() => File.ReadAllText(FixturePath()));
    private static readonly Lazy<ImportResult> Fixture = new(() => Import(FixtureText.Value, FixturePath()));

    private static ImportResult Import(string text, string? path = null) => new NewsletterImporter(Catalog).Import(text, path);

    private static string FixturePath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Bot.sln")))
            dir = dir.Parent;
        Assert.NotNull(dir);
        return Path.Combine(dir.FullName, "tests", "KernelDigest.Core.Tests", "Fixtures", "newsletter-2020-09.txt");
    }

    private static Report Report => Fixture.Value.Report;

    private static ReportEntry Entry(string title) => Assert.Single(Report.Entries, e => e.Title == title);

    // ---- the September 2020 issue ------------------------------------------------------------------------------

    [Fact]
    public void Fixture_HasThreeSectionsWithHeadingsSubsystemsAndEntryCounts()
    {
        Assert.Equal(["虚拟化", "文件系统和Block Layer", "体系架构"], Report.Sections.Select(s => s.Heading));
        Assert.Equal(["virtualization", "filesystems", "architecture"], Report.Sections.Select(s => s.Subsystem));
        Assert.Equal([8, 5, 2], Report.Sections.Select(s => s.Entries.Count));
        Assert.Equal(15, Report.Entries.Count());
    }

    [Fact]
    public void Fixture_SplitsAuthorsFromHyphenatedTitles()
    {
        var virt = Report.Sections[0].Entries;
        Assert.Equal(
            [
                ("Boqun Feng", "Hyper-V:Support PAGE_SIZE larger than 4K"),
                ("Andra Paraschiv", "Add support for Nitro Enclaves"),
                ("Jie Deng", "i2c:virtio: add a virtio i2c frontend driver"),
                ("Chenyi Qiang", "add bus lock VM exit support"),
                ("Tom Lendacky", "SEV-EShypervisor support"),
                ("Ben Gardon", "Introducethe TDP MMU"),
                ("Sean Christopherson", "KVM:Introduce \"VM bugged\" concept"),
                ("Wei Liu", "Introducing Linux root partition support for Microsoft Hypervisor"),
            ],
            virt.Select(e => (Assert.Single(e.Authors), e.Title)));
    }

    [Fact]
    public void Fixture_TitleOnlyEntriesTakeTheirLinkBullets()
    {
        var fs = Report.Sections[1].Entries;
        Assert.Equal(
            ["pwritev2新加标志RWF_NOAPPEND", "基于成本模型的IO权重限速:blk-iocost", "zoned block device & ZoneFS",
             "新的vfs系统调用:fchmodat2", "fuse支持 passthrough 读/写"],
            fs.Select(e => e.Title));
        Assert.All(fs, e => Assert.Empty(e.Authors));

        var pwrite = fs[0];
        var patch = Assert.Single(pwrite.Links);
        Assert.Equal(("补丁", "https://lwn.net/Articles/830153", LinkKind.Lwn), (patch.Label, patch.Url, patch.Kind));

        Assert.Equal(["补丁1", "补丁2"], fs[1].Links.Select(l => l.Label));
        var zoned = fs[2].Links;
        Assert.Equal(["补丁", "参考链接1", "参考链接2", "参考链接3"], zoned.Select(l => l.Label));
        Assert.Equal("https://www.kernel.org/doc/html/latest/filesystems/zonefs.html", zoned[2].Url);
        Assert.Equal(LinkKind.Docs, zoned[2].Kind);
        Assert.Equal(LinkKind.Other, zoned[3].Kind);
        Assert.Equal("https://lwn.net/Articles/832430/", Assert.Single(fs[4].Links).Url);
    }

    [Fact]
    public void Fixture_ArchitectureTitlesWithoutBlankLine_KeepCaptionsInSummary()
    {
        var arch = Report.Sections[2].Entries;
        Assert.Equal(["arm/arm64: Turning IPIs into normal interrupts", "Tag application address space for devices"],
            arch.Select(e => e.Title));

        var ipi = arch[0];
        Assert.StartsWith("特殊待遇听起来是个好东西。", Assert.Single(ipi.Summary), StringComparison.Ordinal);

        var tag = arch[1].Summary;
        Assert.StartsWith("Intel的Fenghua Yu和Dave Jiang", tag[0], StringComparison.Ordinal);
        Assert.Contains("ENGCMD传输的数据格式", tag);
        Assert.Contains("architecture-instruction-set-extensions-programming-reference p60", tag);
        Assert.Contains("备注", tag);
        Assert.Equal("2:原有操作设备dedicated workqueue的命令是MOVDIR64B,参见这里的解释:", tag[^1]);
        Assert.Equal(
            ["https://events.static.linuxfound.org/sites/events/files/slides/Linux%20NTB_0.pdf", "https://www.felixcloutier.com/x86/movdir64b"],
            arch[1].Links.Select(l => l.Url));
        Assert.All(arch[1].Links, l => Assert.Null(l.Label));
    }

    [Fact]
    public void Fixture_ReadsChangelogBlocksInBothSpellings()
    {
        var hyperV = Entry("Hyper-V:Support PAGE_SIZE larger than 4K").Changelog;
        Assert.Equal(["V1 -》V2的改变:", "V2-》V3的改变:"], hyperV.Select(c => c.Label));
        Assert.Equal(("v1", "v2"), hyperV[0].Versions);
        Assert.Equal(4, hyperV[0].Items.Count);
        Assert.Equal("更新重新基于v5.9-rc2内核,并集成 Michael最新的核心补丁(Enable Linux guests on Hyper-V on ARM64", hyperV[0].Items[0]);
        Assert.Equal(
            ["在Michael Kelley的启发下,使用一种简单而直接的方法为storvsc设置有效载荷数组。", "根据Michael的建议修改了一些书写错误",
             "修正由于max()的两个操作数类型不同而导致的编译器警告。"],
            hyperV[1].Items);

        var nitro = Entry("Add support for Nitro Enclaves").Changelog;
        Assert.Equal(["v9 -> v10:", "v8 -> v9:"], nitro.Select(c => c.Label));
        Assert.Equal(("v9", "v10"), nitro[0].Versions);
        Assert.Equal(["更新重新基于v5.9-rc6内核。", "更新commit信息,以包括SoB标记之前的更改日志。"], nitro[0].Items);
        Assert.Equal(4, nitro[1].Items.Count);
        Assert.Equal("从NE驱动程序Makefile中移除-Wall标志,可以使用W=1作为选项。", nitro[1].Items[3]);

        // Numbered changelog items do not leak into the summary.
        Assert.Single(Entry("Add support for Nitro Enclaves").Summary);
        Assert.Equal(4, Report.Entries.Sum(e => e.Changelog.Count));
    }

    [Fact]
    public void Fixture_ReadsReferenceAndStandaloneLinks_KeepsInlineUrlsInText()
    {
        var sev = Entry("SEV-EShypervisor support").Links;
        Assert.Equal(
            [("[1]", "https://www.amd.com/system/files/TechDocs/24593.pdf"), ("[2]", "https://developer.amd.com/wp-content/resources/56421.pdf")],
            sev.Select(l => (l.Label, l.Url)));
        Assert.All(sev, l => Assert.Equal(LinkKind.Docs, l.Kind));

        var busLock = Entry("add bus lock VM exit support");
        Assert.Equal(
            ["https://lore.kernel.org/lkml/87r1stmi1x.fsf@nanos.tec.linutronix.de/",
             "https://software.intel.com/content/www/us/en/develop/download/intel-architecture-instruction-set-extensions-programming-reference.html"],
            busLock.Links.Select(l => l.Url));
        Assert.Null(busLock.Links[0].Label);
        Assert.Equal(LinkKind.Lore, busLock.Links[0].Kind);
        Assert.Equal("Intel Architecture Instruction SetExtensions Programming Reference文档链接:", busLock.Summary[^1]);

        var virtio = Entry("i2c:virtio: add a virtio i2c frontend driver");
        Assert.Empty(virtio.Links);
        Assert.Contains(virtio.Summary, p => p.EndsWith("更多信息,请参考https://projectacrn.org", StringComparison.Ordinal));
    }

    [Fact]
    public void Fixture_ReadsHeaderMetadataAndPreface()
    {
        Assert.Equal(new ReportMonth(2020, 9), Report.Month);
        Assert.Equal("Linux阅码场 - Linux内核月报(2020年09月)", Report.Title);
        Assert.Equal(4, Report.Issue);
        Assert.Equal(["陈玮", "张健", "廖威雄"], Report.Contributors);
        Assert.Equal("Linux阅码场", Report.Source);
        Assert.Equal(FixturePath(), Report.SourcePath);

        var preface = Report.Preface!.Split("\n\n");
        Assert.Equal("关于Linux内核月报", preface[0]);
        Assert.Contains("(月报的完善和专业,离不开大牛们的持续贡献,欢迎更多大牛加入月报贡献团队)", preface);
        Assert.Equal(
            ["1-3期链接:", "Linux阅码场 - Linux内核月报(2020年06月)", "Linux阅码场 - Linux内核月报(2020年07月)", "Linux阅码场 - Linux内核月报(2020年08月)"],
            preface[^4..]);
        Assert.Equal(9, preface.Length);
    }

    [Fact]
    public void Fixture_KeepsSectionIntro()
    {
        Assert.Empty(Report.Sections[0].Intro);
        Assert.Empty(Report.Sections[1].Intro);
        var intro = Assert.Single(Report.Sections[2].Intro);
        Assert.StartsWith("本月和架构相关的补丁共有31个。", intro, StringComparison.Ordinal);
        Assert.EndsWith("CPU和加速器越来越是一家了。", intro, StringComparison.Ordinal);
    }

    [Fact]
    public void Fixture_SummaryParagraphsAreSourceLinesAsWritten()
    {
        var virtio = Entry("i2c:virtio: add a virtio i2c frontend driver").Summary;
        Assert.Equal(6, virtio.Count);
        Assert.Equal(["- Header: i2c_msg addr, flags, len。", "-数据缓冲区:指向i2cmsg数据的指针。", "-状态:后端驱动的处理结果。"], virtio.Skip(1).Take(3));

        var root = Entry("Introducing Linux root partition support for Microsoft Hypervisor").Summary;
        Assert.Contains("1. Linux需要以不同的方式设置现有的Hyper-V基础组件。", root);
        Assert.Contains("2. Linux需要一些Hypercall用来启动AP。", root);
        Assert.Equal(9, root.Count);
        Assert.Empty(Entry("Introducing Linux root partition support for Microsoft Hypervisor").Changelog);

        var iocost = Entry("基于成本模型的IO权重限速:blk-iocost").Summary;
        Assert.Equal("echo \"254:48 enable=1 ctrl=user rpct=95.00 rlat=5000wpct=95.00wlat=5000min=50.00max=150.00\">/sys/fs/cgroup/io.cost.qos", iocost[^1]);

        Assert.Equal("该补丁系列在9月份进行了v9和v10更新。", Entry("Add support for Nitro Enclaves").OneLine);
        Assert.Equal(9, Entry("SEV-EShypervisor support").Summary.Count);
    }

    [Fact]
    public void Fixture_ExtractsKeywordsFromTitleThenSummary()
    {
        Assert.Equal(["pwritev2", "RWF_NOAPPEND", "O_APPEND", "IOCB_APPEND"], Entry("pwritev2新加标志RWF_NOAPPEND").Keywords);
        Assert.Equal(["fchmodat2", "AT_SYMLINK_NOFOLLOW", "EOPNOTSUPP"], Entry("新的vfs系统调用:fchmodat2").Keywords);
        Assert.Equal(["IO", "blk-iocost", "IOPS"], Entry("基于成本模型的IO权重限速:blk-iocost").Keywords);
        Assert.Equal(["Hyper-V", "PAGE_SIZE"], Entry("Hyper-V:Support PAGE_SIZE larger than 4K").Keywords.Take(2));
        Assert.Equal(["SEV-ES", "KVM"], Entry("SEV-EShypervisor support").Keywords.Take(2));
        Assert.Equal(["TDP", "MMU", "KVM", "x86"], Entry("Introducethe TDP MMU").Keywords.Take(4));
        Assert.Equal(["KVM", "VM", "x86", "TDX", "KVM_BUG_ON", "PTE", "WARN_ONCE"], Entry("KVM:Introduce \"VM bugged\" concept").Keywords);
        Assert.Equal(["arm64", "IPI", "ARM", "NMI", "handle_IPI", "do_handle_IPI", "set_smp_ipi_range", "request_percpu_irq"],
            Entry("arm/arm64: Turning IPIs into normal interrupts").Keywords);
        Assert.Equal("DSA", Entry("Tag application address space for devices").Keywords[0]);

        Assert.All(Report.Entries, e =>
        {
            Assert.InRange(e.Keywords.Count, 1, 8);
            Assert.Equal(e.Keywords.Count, e.Keywords.Distinct(StringComparer.OrdinalIgnoreCase).Count());
            Assert.All(e.Keywords, k => Assert.False(TextUtil.HasCjk(k), k));
            Assert.DoesNotContain("RFC", e.Keywords);
            Assert.DoesNotContain("PATCH", e.Keywords);
            Assert.DoesNotContain(e.Keywords, k => k is "v1" or "v10" or "Support" or "the");
        });
    }

    [Fact]
    public void Fixture_DropsClosingBoilerplate_AndHasNoIssues()
    {
        Assert.Empty(Fixture.Value.Issues);
        var text = AllPlacedText(Report).ToList();
        foreach (var boilerplate in new[] { "(END)", "Linux阅码场原创精华文章汇总", "扫描下方二维码关注", "球分享", "球点赞", "球在看" })
            Assert.DoesNotContain(text, t => t.Contains(boilerplate, StringComparison.Ordinal));
        Assert.Equal("以下是补丁作者测试的性能数据,具体的测试场景可以看补丁详情。", Entry("fuse支持 passthrough 读/写").Summary[^1]);
    }

    [Fact]
    public void Fixture_EveryNonBlankLineIsPlaced()
    {
        var placed = AllPlacedText(Report).Where(t => t.Length > 0).ToList();
        var consumedByMetadata = new[] { "本期月报(总第4期)主要贡献人员:" };
        var dropped = new[] { "(END)", "Linux阅码场原创精华文章汇总", "更多精彩,尽在\"Linux阅码场\",扫描下方二维码关注", "球分享", "球点赞", "球在看" };
        var lines = FixtureText.Value.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        Assert.Equal(150, lines.Count);
        var unplaced = lines
            .Where(l => !consumedByMetadata.Contains(l) && !dropped.Contains(l))
            .Where(l => !placed.Any(p => l == p || l.EndsWith(p, StringComparison.Ordinal)))
            .ToList();
        Assert.Empty(unplaced);
    }

    [Fact]
    public void Fixture_CrLfAndBomGiveTheSameReport()
    {
        var crlf = Import("\uFEFF" + FixtureText.Value.Replace("\n", "\r\n", StringComparison.Ordinal));
        Assert.Empty(crlf.Issues);
        Assert.Equal(Report.Title, crlf.Report.Title);
        Assert.Equal(Report.Month, crlf.Report.Month);
        Assert.Equal(Report.Preface, crlf.Report.Preface);
        Assert.Equal(AllPlacedText(Report), AllPlacedText(crlf.Report));
        Assert.DoesNotContain(AllPlacedText(crlf.Report), t => t.Contains('\r', StringComparison.Ordinal) || t.Contains('\uFEFF', StringComparison.Ordinal));
    }

    // ---- synthetic issues ------------------------------------------------------------------------------------

    private const string NextMonth = """
        Linux阅码场 - Linux内核月报(2020年10月)

        本期月报(总第5期)主要贡献人员:

        张三、李四,Wang Wu

        Jane Doe-Orphan entry before any section

        这一行也不属于任何章节。

        1. 虚拟化

        • 补丁:https://lwn.net/Articles/1/

        Yu-cheng Yu-Control-flow Enforcement: Shadow Stack

        正文第一段。

        V1 -> V2:
        1. 修复编译错误
        2. 更新文档

        2. 体系架构

        Jane Doe - x86/sgx: Add SGX driver

        SGX正文。

        (END)

        Unexpected trailing text
        """;

    [Fact]
    public void Synthetic_ReportsEveryUnplaceableLineWithItsLineNumber()
    {
        var text = NextMonth.Replace("正文第一段。", "正文第一段。\n\n\u0001\u0002\u0000garbage", StringComparison.Ordinal);
        var result = Import(text);

        Assert.Equal(new ReportMonth(2020, 10), result.Report.Month);
        Assert.Equal(5, result.Report.Issue);
        Assert.Equal(["张三", "李四", "Wang Wu"], result.Report.Contributors);

        Assert.Equal([7, 9, 13, 19, 33], result.Issues.Select(i => i.Line));
        Assert.Equal("Jane Doe-Orphan entry before any section", result.Issues[0].Text);
        Assert.Equal("这一行也不属于任何章节。", result.Issues[1].Text);
        Assert.Equal("• 补丁:https://lwn.net/Articles/1/", result.Issues[2].Text);
        Assert.Contains("unreadable", result.Issues[3].Reason, StringComparison.Ordinal);
        Assert.DoesNotContain('\0', result.Issues[3].Text);
        Assert.Equal("Unexpected trailing text", result.Issues[4].Text);

        var entries = result.Report.Entries.ToList();
        Assert.Equal(2, entries.Count);
        Assert.Equal(("Yu-cheng Yu", "Control-flow Enforcement: Shadow Stack"), (Assert.Single(entries[0].Authors), entries[0].Title));
        Assert.Equal(["正文第一段。"], entries[0].Summary);
        var change = Assert.Single(entries[0].Changelog);
        Assert.Equal("V1 -> V2:", change.Label);
        Assert.Equal(["修复编译错误", "更新文档"], change.Items);
        Assert.Equal(("Jane Doe", "x86/sgx: Add SGX driver"), (Assert.Single(entries[1].Authors), entries[1].Title));
        Assert.Equal(["x86", "SGX"], entries[1].Keywords);
        Assert.Equal(["virtualization", "architecture"], result.Report.Sections.Select(s => s.Subsystem));
    }

    [Fact]
    public void Synthetic_UnmappedHeadingBecomesOtherAndIsReported()
    {
        var result = Import("""
            Linux阅码场 - Linux内核月报(2020年11月)

            1. 奇怪的新领域

            Jane Doe-foo: add bar

            正文。
            """);
        var section = Assert.Single(result.Report.Sections);
        Assert.Equal(("奇怪的新领域", SubsystemCatalog.OtherKey), (section.Heading, section.Subsystem));
        var issue = Assert.Single(result.Issues);
        Assert.Equal(3, issue.Line);
        Assert.Contains("no subsystem", issue.Reason, StringComparison.Ordinal);
        Assert.Equal("foo: add bar", Assert.Single(section.Entries).Title);
    }

    [Fact]
    public void Synthetic_ChineseNumberingAndFullWidthColonLinks()
    {
        var result = Import("""
            Linux阅码场 - Linux内核月报(2021年01月)

            一、虚拟化

            Jane Doe-kvm: fix it

            正文。

            二、文件系统

            io_uring新增openat2支持
            • 补丁：https://lore.kernel.org/io-uring/1/
            • https://lwn.net/Articles/2/

            正文。
            """);
        Assert.Empty(result.Issues);
        Assert.Equal(["虚拟化", "文件系统"], result.Report.Sections.Select(s => s.Heading));
        var entry = Assert.Single(result.Report.Sections[1].Entries);
        Assert.Equal("io_uring新增openat2支持", entry.Title);
        Assert.Equal(
            [("补丁", "https://lore.kernel.org/io-uring/1/", LinkKind.Lore), (null, "https://lwn.net/Articles/2/", LinkKind.Lwn)],
            entry.Links.Select(l => (l.Label, l.Url, l.Kind)));
        Assert.Equal(["io_uring", "openat2"], entry.Keywords);
    }

    [Fact]
    public void Synthetic_TrimsFullWidthAndNoBreakSpaces()
    {
        var result = Import(
            "Linux阅码场 - Linux内核月报(2020年12月)\r\n\r\n\u30001. 虚拟化\u00A0\r\n\r\n\u00A0Jane Doe-kvm: fix it\u3000\r\n\r\n\u3000\u3000正文段落。\u00A0\r\n");
        Assert.Empty(result.Issues);
        var section = Assert.Single(result.Report.Sections);
        Assert.Equal("虚拟化", section.Heading);
        var entry = Assert.Single(section.Entries);
        Assert.Equal("kvm: fix it", entry.Title);
        Assert.Equal(["正文段落。"], entry.Summary);
    }

    // ---- hostile input ---------------------------------------------------------------------------------------

    [Fact]
    public void Hostile_EmptyInput_ReturnsIssuesNotException()
    {
        foreach (var text in new[] { "", "\uFEFF", "\n\n \u3000\r\n" })
        {
            var result = Import(text);
            Assert.Empty(result.Report.Sections);
            Assert.NotEmpty(result.Issues);
            Assert.Contains(result.Issues, i => i.Line == 0 && i.Reason.Contains("no section", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Hostile_BinaryJunk_ReturnsIssuesNotException()
    {
        var random = new Random(42);
        var sb = new StringBuilder();
        for (var i = 0; i < 200_000; i++)
            sb.Append((char)random.Next(0, 0x10000));
        var result = Import(sb.ToString());
        Assert.NotEmpty(result.Issues);
        Assert.All(result.Issues, i => Assert.True(i.Text.Length <= 200));
        Assert.All(result.Issues, i => Assert.DoesNotContain(i.Text, c => char.IsControl(c)));
    }

    [Fact]
    public void Hostile_OneMegabyteOfText_ReturnsIssuesNotException()
    {
        var oneLine = Import(new string('a', 1 << 20));
        Assert.NotEmpty(oneLine.Issues);
        Assert.Equal(string.Empty, oneLine.Report.Title);

        var manyLines = Import(string.Concat(Enumerable.Repeat("Some Name-some title\n\n1. 1. 1.\n[1]http://x\n", 40_000)));
        Assert.NotEmpty(manyLines.Issues);
        Assert.True(manyLines.Issues.Count <= 1001);

        var repeated = Import(string.Concat(Enumerable.Repeat(FixtureText.Value + "\n", 1 + (1 << 20) / FixtureText.Value.Length)));
        Assert.Equal(15, repeated.Report.Entries.Count());
        Assert.Contains(repeated.Issues, i => i.Reason.Contains("after the end marker", StringComparison.Ordinal));
    }

    [Fact]
    public void Hostile_NoSections_KeepsTextAsPrefaceAndReports()
    {
        var result = Import("just some text\n\nand more text\n");
        Assert.Empty(result.Report.Sections);
        Assert.Equal("just some text", result.Report.Title);
        Assert.Equal("and more text", result.Report.Preface);
        Assert.Equal(default, result.Report.Month);
        Assert.Contains(result.Issues, i => i.Line == 1 && i.Reason.Contains("no month", StringComparison.Ordinal));
        Assert.Contains(result.Issues, i => i.Line == 0 && i.Reason.Contains("no section", StringComparison.Ordinal));
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /// <summary>Every piece of text the report keeps, in document order.</summary>
    private static IEnumerable<string> AllPlacedText(Report report)
    {
        yield return report.Title;
        foreach (var name in report.Contributors)
            yield return name;
        foreach (var paragraph in (report.Preface ?? string.Empty).Split("\n\n"))
            yield return paragraph;
        foreach (var section in report.Sections)
        {
            yield return section.Heading;
            foreach (var p in section.Intro)
                yield return p;
            foreach (var entry in section.Entries)
            {
                yield return entry.Title;
                foreach (var p in entry.Summary)
                    yield return p;
                foreach (var change in entry.Changelog)
                {
                    yield return change.Label;
                    foreach (var item in change.Items)
                        yield return item;
                }
                foreach (var link in entry.Links)
                    yield return link.Url;
            }
        }
    }
}
