using KernelDigest.Core.Reports;

namespace KernelDigest.Core.Tests.Reports;

public sealed class ReportMarkdownTests
{
    private const string File = "config/reports/2021-03.md";

    private static ReportReadResult Read(string text, string file = File) => ReportMarkdown.Read(text, file, Repo.Catalog);

    private static string Lines(params string[] lines) => string.Join('\n', lines) + "\n";

    private static Report ReadOk(string text, string file = File)
    {
        var result = Read(text, file);
        Assert.Empty(result.Errors);
        Assert.NotNull(result.Report);
        return result.Report;
    }

    // ---- writing then reading gives back the exact text ----------------------------------------------------------

    public static TheoryData<string> HostileTexts =>
    [
        "*bold* and **strong** and a * alone",
        "_x_ and __init__ and RWF_NOAPPEND and trailing_",
        "see [1] and [link](https://x.example) and ![img](y.png) and [ref]",
        "<b>bold</b> <https://not.a.link> <!-- comment --> <div>",
        "&amp; &lt; &#42; &copy AT&T",
        "#VC exception and # not a heading ##",
        "- starts like a bullet",
        "+ starts like a plus bullet",
        "* starts like a star bullet",
        "1. starts like an ordered item",
        "2) also ordered",
        "> looks like a quote",
        "---",
        "=== under",
        "back\\slash \\* \\\\ and a trailing\\",
        "`code` and ``` fence and ~~~ tilde",
        "emoji 🐧🚀 and 👨‍💻 joined",
        "中文：内核“引号”《书名》（全角）——破折号！",
        "| a | b | and ~~strike~~",
        "#### not a heading",
        "authors: not metadata",
    ];

    [Theory]
    [MemberData(nameof(HostileTexts))]
    public void WriteThenRead_GivesBackHostileTextExactly(string text)
    {
        var report = new Report
        {
            Month = new ReportMonth(2021, 3),
            Issue = 7,
            Title = text,
            Contributors = [text, "张健"],
            Source = text,
            Preface = text + "\n\n" + text,
            Sections =
            [
                new ReportSection
                {
                    Heading = "虚拟化 " + text,
                    Subsystem = "virtualization",
                    Intro = [text],
                    Entries =
                    [
                        new ReportEntry
                        {
                            Title = text,
                            Authors = [text, "Boqun Feng"],
                            Keywords = [text],
                            Summary = [text, "second " + text],
                            Changelog = [new VersionChange(text, [text, "plain item"]), new VersionChange("v1 -> v2:", [text])],
                            Links = [new ReportLink("https://lwn.net/Articles/830153/", text), new ReportLink("https://lore.kernel.org/lkml/a_b*c@x/")],
                        },
                        new ReportEntry { Title = "second " + text, Summary = [text] },
                    ],
                },
            ],
        };

        var markdown = ReportMarkdown.Write(report);
        var back = ReadOk(markdown);

        Assert.Equal(ReportContent.Lines(report), ReportContent.Lines(back));
    }

    [Fact]
    public void WriteThenRead_KeepsYamlLookalikeFrontMatterValues()
    {
        foreach (var text in new[] { "null", "Null", "~", "true", "123", "0x1F", "- dash", "a: b", "# hash", "\"quoted\" \\ 'single'", "[1, 2]", "{a}" })
        {
            var report = new Report { Month = new ReportMonth(2021, 3), Title = text, Contributors = [text, "x"], Source = text };
            var back = Read(ReportMarkdown.Write(report));
            Assert.True(back.Report is not null, $"'{text}': {string.Join("; ", back.Errors)}");
            Assert.Equal((text, text, text), (back.Report.Title, back.Report.Contributors[0], back.Report.Source));
        }
    }

    [Fact]
    public void EmptyContributorItems_AreLeftOut()
    {
        var report = ReadOk(Lines("---", "month: 2021-03", "title: t", "contributors:", "  - 陈玮", "  -", "  - ~", "---"));
        Assert.Equal(["陈玮"], report.Contributors);
    }

    // ---- a file written by hand ----------------------------------------------------------------------------------

    [Fact]
    public void HandWrittenFile_JoinsSoftLineBreaks_KeepsSummaryLists_ReadsBareUrlsAndChineseLinkHeading()
    {
        var report = ReadOk(Lines(
            "---",
            "month: 2021-3",
            "title: 手写的月报",
            "contributors: [陈玮, Alice Smith]",
            "---",
            "",
            "前言第一行",
            "前言第二行。",
            "",
            "# 内存管理",
            "",
            "本节介绍",
            "内存管理的补丁。",
            "",
            "## Make *THP* faster",
            "",
            "- authors: Alice Smith, 张健",
            "- keywords: THP, khugepaged",
            "",
            "The first paragraph is wrapped",
            "over two lines. Then more.",
            "",
            "中文段落第一行",
            "第二行。",
            "",
            "- first point",
            "- second point",
            "",
            "3. third",
            "4. fourth",
            "",
            "### Changelog",
            "",
            "#### v1 -> v2:",
            "",
            "- rebased on v5.12",
            "- fixed a bug",
            "",
            "#### v2 -> v3:",
            "",
            "Only one change.",
            "",
            "### 链接",
            "",
            "- https://lwn.net/Articles/123456/",
            "- <https://lore.kernel.org/linux-mm/xyz@kernel.org/>",
            "- [LWN 文章](https://lwn.net/Articles/1/)",
            "- [spec](https://example.com/spec.pdf)"));

        Assert.Equal(new ReportMonth(2021, 3), report.Month);
        Assert.Equal("手写的月报", report.Title);
        Assert.Null(report.Issue);
        Assert.Equal(["陈玮", "Alice Smith"], report.Contributors);
        Assert.Equal("前言第一行前言第二行。", report.Preface);

        var section = Assert.Single(report.Sections);
        Assert.Equal(("内存管理", "mm"), (section.Heading, section.Subsystem));
        Assert.Equal(["本节介绍内存管理的补丁。"], section.Intro);

        var entry = Assert.Single(section.Entries);
        Assert.Equal("Make THP faster", entry.Title);
        Assert.Equal(["Alice Smith", "张健"], entry.Authors);
        Assert.Equal(["THP", "khugepaged"], entry.Keywords);
        Assert.Equal(
            ["The first paragraph is wrapped over two lines. Then more.", "中文段落第一行第二行。", "- first point", "- second point", "3. third", "4. fourth"],
            entry.Summary);
        Assert.Equal("The first paragraph is wrapped over two lines.", entry.OneLine);
        Assert.Equal(["v1 -> v2:", "v2 -> v3:"], entry.Changelog.Select(c => c.Label));
        Assert.Equal(["rebased on v5.12", "fixed a bug"], entry.Changelog[0].Items);
        Assert.Equal(["Only one change."], entry.Changelog[1].Items);
        Assert.Equal(
            [
                ("https://lwn.net/Articles/123456/", null, LinkKind.Lwn),
                ("https://lore.kernel.org/linux-mm/xyz@kernel.org/", null, LinkKind.Lore),
                ("https://lwn.net/Articles/1/", "LWN 文章", LinkKind.Lwn),
                ("https://example.com/spec.pdf", "spec", LinkKind.Docs),
            ],
            entry.Links.Select(l => (l.Url, l.Label, l.Kind)));
    }

    [Fact]
    public void ListsInIntroAndPreface_KeepTheirMarkers_WhateverThePreviousEntryEndedWith()
    {
        var report = ReadOk(Lines(
            "---",
            "month: 2021-03",
            "title: t",
            "---",
            "",
            "- preface point",
            "",
            "# 虚拟化",
            "",
            "- first intro point",
            "",
            "## Entry with links",
            "",
            "Summary.",
            "",
            "### Links",
            "",
            "- <https://lwn.net/Articles/1/>",
            "",
            "# 网络",
            "",
            "- second intro point",
            "",
            "## Entry with a changelog",
            "",
            "### Changelog",
            "",
            "#### v1 -> v2:",
            "",
            "- item",
            "",
            "# 调度",
            "",
            "1. third intro point"));

        Assert.Equal("- preface point", report.Preface);
        Assert.Equal([["- first intro point"], ["- second intro point"], ["1. third intro point"]], report.Sections.Select(s => s.Intro));
    }

    [Fact]
    public void WrittenFile_ReadsBackWithoutErrors_AndIsStableWhenWrittenAgain()
    {
        var report = ReadOk(System.IO.File.ReadAllText(Repo.GoldenPath), Repo.GoldenPath);
        var once = ReportMarkdown.Write(report);
        var twice = ReportMarkdown.Write(ReadOk(once, Repo.GoldenPath));
        Assert.Equal(once, twice);
    }

    // ---- errors name the file and the line ----------------------------------------------------------------------

    private static void AssertErrors(string text, params (int Line, string Fragment)[] expected) => AssertErrorsIn(File, text, expected);

    private static void AssertErrorsIn(string file, string text, params (int Line, string Fragment)[] expected)
    {
        var result = Read(text, file);
        Assert.Null(result.Report);
        var shown = string.Join("\n", result.Errors);
        Assert.True(expected.Length == result.Errors.Count, $"expected {expected.Length} errors, got:\n{shown}");
        for (var i = 0; i < expected.Length; i++)
        {
            var error = result.Errors[i];
            Assert.True(
                error.File == file && error.Line == expected[i].Line && error.Message.Contains(expected[i].Fragment, StringComparison.Ordinal),
                $"expected {file}:{expected[i].Line}: …{expected[i].Fragment}…, got:\n{shown}");
            Assert.StartsWith($"{file}:{expected[i].Line}: ", error.ToString(), StringComparison.Ordinal);
        }
    }

    private static readonly string[] GoodHeader = ["---", "month: 2021-03", "title: 月报", "---", ""];

    private static string WithHeader(params string[] body) => Lines([.. GoodHeader, .. body]);

    [Fact]
    public void Error_MissingFrontMatter_Line1() =>
        AssertErrors(Lines("# 虚拟化", "", "## Entry"), (1, "front matter"));

    [Fact]
    public void Error_BrokenYaml_UnclosedList_NamesItsLine() =>
        AssertErrors(Lines("---", "month: 2021-03", "title: ok", "contributors: [a, b", "source: x", "---"), (4, "front matter: not valid YAML here"));

    [Fact]
    public void Error_BrokenYaml_IssueNotANumber_SaysWhatIsWrong() =>
        AssertErrors(Lines("---", "month: 2021-03", "title: ok", "issue: four", "---"), (4, "'four'"));

    [Fact]
    public void Error_BrokenYaml_UnknownKey_NamesIt() =>
        AssertErrors(Lines("---", "month: 2021-03", "title: ok", "", "tags: [a]", "---"), (5, "'tags'"));

    [Fact]
    public void Error_BrokenYamlMapping_NamesTheLineOfTheProblem() =>
        AssertErrors(Lines("---", "month: 2021-03", "title: ok: not", "---"), (3, "front matter"));

    [Fact]
    public void Error_MonthNotYyyyMm_NamesTheMonthLine() =>
        AssertErrors(Lines("---", "title: 月报", "month: March 2021", "---"), (3, "'March 2021' is not YYYY-MM"));

    [Fact]
    public void Error_MonthMissing_NamesTheFrontMatter() =>
        AssertErrors(Lines("---", "title: 月报", "---"), (1, "is not YYYY-MM"));

    [Fact]
    public void Error_MonthDoesNotMatchFileName_NamesTheMonthLine() =>
        AssertErrorsIn("config/reports/2021-04.md", Lines("---", "title: 月报", "issue: 3", "month: 2021-03", "---"),
            (4, "does not match the file name 2021-04"));

    [Fact]
    public void Error_TitleMissing() =>
        AssertErrors(Lines("---", "month: 2021-03", "---", "", "# 虚拟化"), (1, "title is missing"));

    [Fact]
    public void Error_TitleEmpty_NamesTheTitleLine() =>
        AssertErrors(Lines("---", "month: 2021-03", "title: \"  \"", "---"), (3, "title is missing"));

    [Fact]
    public void Error_EntryBeforeAnySection() =>
        AssertErrors(WithHeader("Preface.", "", "## Lonely entry", "", "Text."), (8, "'Lonely entry' comes before any section"));

    [Fact]
    public void Error_UnknownEntryPart_ShowsTheHeadingAsWritten() =>
        AssertErrors(WithHeader("# 虚拟化", "", "## Entry", "", "Text.", "", "### Foo Bar", "", "More."),
            (12, "unknown entry part '### Foo Bar'"));

    [Fact]
    public void Error_LinkItemWithoutUrl() =>
        AssertErrors(WithHeader("# 虚拟化", "", "## Entry", "", "### Links", "", "- <https://lwn.net/Articles/1/>", "- see the mailing list", "- [label only]()"),
            (13, "link item has no address"), (14, "link item has no address"));

    [Fact]
    public void Error_SectionHeadingMapsToNoSubsystem() =>
        AssertErrors(WithHeader("# 虚拟化", "", "## Entry", "", "# Gardening tips", "", "## Roses"), (10, "section 'Gardening tips' matches no subsystem"));

    [Fact]
    public void Error_VersionHeadingOutsideChangelog() =>
        AssertErrors(WithHeader("# 虚拟化", "", "## Entry", "", "Text.", "", "#### v1 -> v2:", "", "- item"), (12, "heading level 4"));

    [Fact]
    public void Error_VersionHeadingInLinks() =>
        AssertErrors(WithHeader("# 虚拟化", "", "## Entry", "", "### Links", "", "#### v1 -> v2:"), (12, "heading level 4"));

    [Fact]
    public void Error_ChangelogTextBeforeVersionHeading() =>
        AssertErrors(WithHeader("# 虚拟化", "", "## Entry", "", "### Changelog", "", "Rebased.", "", "- fixed", "", "#### v1 -> v2:", "", "- ok"),
            (12, "before any '#### vN -> vM' heading"), (14, "before any '#### vN -> vM' heading"));

    [Fact]
    public void Errors_SeveralInOneFile_AreAllReportedInLineOrder() =>
        AssertErrors(WithHeader("## Too early", "", "# Gardening", "", "## Entry", "", "### Notes", "", "### Links", "", "- nothing here"),
            (6, "comes before any section"), (8, "matches no subsystem"), (12, "unknown entry part"), (16, "link item has no address"));
}
