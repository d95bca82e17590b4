using KernelDigest.Core.Reports;

namespace KernelDigest.Core.Tests.Reports;

public sealed class ReportMonthTests
{
    [Theory]
    [InlineData("2020-09", 2020, 9)]
    [InlineData("2020-9", 2020, 9)]
    [InlineData("2020/09", 2020, 9)]
    [InlineData(" 2021-12 ", 2021, 12)]
    [InlineData("1991-01", 1991, 1)]
    public void TryParse_Accepts(string text, int year, int month)
    {
        Assert.True(ReportMonth.TryParse(text, out var parsed));
        Assert.Equal(new ReportMonth(year, month), parsed);
        Assert.Equal(parsed, ReportMonth.Parse(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("2020")]
    [InlineData("2020-13")]
    [InlineData("2020-00")]
    [InlineData("2020-009")]
    [InlineData("2020-0009")]
    [InlineData("20-09")]
    [InlineData("02020-09")]
    [InlineData("1990-12")]
    [InlineData("2020-09-01")]
    [InlineData("2020-")]
    [InlineData("-09")]
    [InlineData("+2020-09")]
    [InlineData("2020- 9")]
    [InlineData("2020-+9")]
    [InlineData("２０２０-09")]
    [InlineData("2020年9月")]
    [InlineData("September 2020")]
    [InlineData("2020-09-01T00:00:00")]
    public void TryParse_Refuses(string? text)
    {
        Assert.False(ReportMonth.TryParse(text, out var parsed));
        Assert.Equal(default, parsed);
    }

    [Fact]
    public void Parse_RefusesWithAFormatExceptionNamingTheText()
    {
        var ex = Assert.Throws<FormatException>(() => ReportMonth.Parse("2020-13"));
        Assert.Contains("'2020-13'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("YYYY-MM", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_IsYyyyMm() =>
        Assert.Equal(["2020-09", "2021-12", "1999-01"], new[] { new ReportMonth(2020, 9), new ReportMonth(2021, 12), new ReportMonth(1999, 1) }.Select(m => m.ToString()));

    [Fact]
    public void Ordering_IsChronological_AcrossYears()
    {
        var months = new[] { "2021-01", "2020-12", "2020-09", "2020-10", "2019-11" }.Select(ReportMonth.Parse).ToList();

        Assert.Equal(["2019-11", "2020-09", "2020-10", "2020-12", "2021-01"], months.Order().Select(m => m.ToString()));
        Assert.Equal(["2021-01", "2020-12", "2020-10", "2020-09", "2019-11"], months.OrderDescending().Select(m => m.ToString()));
    }

    [Fact]
    public void Operators_CompareChronologically()
    {
        var dec = new ReportMonth(2020, 12);
        var jan = new ReportMonth(2021, 1);
        Assert.True(dec < jan);
        Assert.True(jan > dec);
        Assert.True(dec <= jan && dec <= new ReportMonth(2020, 12));
        Assert.True(jan >= dec && jan >= new ReportMonth(2021, 1));
        Assert.False(jan < dec);
        Assert.Equal(0, dec.CompareTo(ReportMonth.Parse("2020-12")));
        Assert.Equal(dec, ReportMonth.Parse("2020/12"));
    }
}

public sealed class TextUtilTests
{
    [Theory]
    [InlineData("该补丁在9月份进行了更新。它为客户机提供支持。", "该补丁在9月份进行了更新。")]
    [InlineData("  你知道吗？后面还有。", "你知道吗？")]
    [InlineData("更新重新基于v5.9-rc2内核；并集成补丁。", "更新重新基于v5.9-rc2内核；")]
    [InlineData("Rebased on v5.9-rc2 and v5.9 final. Then fixed bugs.", "Rebased on v5.9-rc2 and v5.9 final.")]
    [InlineData("Supports kernel 5.9 and later! More text.", "Supports kernel 5.9 and later!")]
    [InlineData("Why now? Because.", "Why now?")]
    [InlineData("Tools, e.g. perf and i.e. ftrace, help. Second sentence.", "Tools, e.g. perf and i.e. ftrace, help.")]
    [InlineData("Uses the v5.9.1 tree and ends here.", "Uses the v5.9.1 tree and ends here.")]
    [InlineData("No full stop at all", "No full stop at all")]
    [InlineData("基于v5.9内核,没有句号", "基于v5.9内核,没有句号")]
    public void FirstSentence_EndsAtTheFirstFullStop(string paragraph, string expected) =>
        Assert.Equal(expected, TextUtil.FirstSentence(paragraph));

    [Fact]
    public void FirstSentence_CapsLongTextWithAnEllipsis()
    {
        var text = new string('长', 300);
        var sentence = TextUtil.FirstSentence(text);
        Assert.Equal(160, sentence.Length);
        Assert.EndsWith("…", sentence, StringComparison.Ordinal);
        Assert.Equal(new string('长', 159), sentence[..^1]);
    }

    [Fact]
    public void Truncate_DoesNotSplitASurrogatePair()
    {
        var cut = TextUtil.Truncate("ab🐧cd", 4);
        Assert.Equal("ab…", cut);
        Assert.Equal("ab🐧cd", TextUtil.Truncate("ab🐧cd", 6));
    }

    [Fact]
    public void ReportEntry_OneLine_IsTheFirstSentenceOfTheSummaryOrTheTitle()
    {
        Assert.Equal("第一句。", new ReportEntry { Title = "t", Summary = ["第一句。第二句。"] }.OneLine);
        Assert.Equal("Only a title", new ReportEntry { Title = "Only a title" }.OneLine);
    }

    [Theory]
    [InlineData("\u001b[31mred\u001b[0m", "␛[31mred␛[0m")]
    [InlineData("a\u007fb", "a\u2421b")]
    [InlineData("nul\0bell\a", "nul\u2400bell\u2407")]
    [InlineData("line1\nline2\r\nx\ty", "line1 line2  x y")]
    [InlineData("para\u2028sep\u2029end", "para sep end")]
    [InlineData("c1\u009b31m", "c1\ufffd31m")]
    public void Visible_ShowsControlCharactersAsPictures(string text, string expected)
    {
        var visible = TextUtil.Visible(text);
        Assert.Equal(expected, visible);
        Assert.DoesNotContain(visible, char.IsControl);
    }

    [Fact]
    public void Visible_LeavesOrdinaryTextAlone()
    {
        const string text = "虚拟化 KVM 🐧 <b>&amp;</b>";
        Assert.Same(text, TextUtil.Visible(text));
    }

    [Theory]
    [InlineData("v9 -> v10:", "v9", "v10")]
    [InlineData("V1 -》V2的改变:", "v1", "v2")]
    [InlineData("V2-》V3的改变:", "v2", "v3")]
    [InlineData("v3 → v4", "v3", "v4")]
    [InlineData("Changes from v4 to v5", "v4", "v5")]
    public void VersionChange_Versions_ReadsTheLabel(string label, string from, string to)
    {
        var change = new VersionChange(label, ["item"]);
        Assert.Equal((from, to), change.Versions);
        Assert.Equal(label, change.Label);
    }

    [Theory]
    [InlineData("Changes since v1:")]
    [InlineData("更新记录")]
    [InlineData("")]
    public void VersionChange_Versions_IsNullWhenTheLabelNamesNoVersions(string label) =>
        Assert.Null(new VersionChange(label, []).Versions);
}
