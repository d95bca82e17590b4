using KernelDigest.Core.Reports;

namespace KernelDigest.Core.Tests.Reports;

public sealed class LinkKindsTests
{
    [Theory]
    [InlineData("https://lwn.net/Articles/830153", LinkKind.Lwn)]
    [InlineData("https://LWN.net/Articles/788851/", LinkKind.Lwn)]
    [InlineData("http://www.lwn.net/Articles/1/", LinkKind.Lwn)]
    [InlineData("https://lore.kernel.org/lkml/87r1stmi1x.fsf@nanos.tec.linutronix.de/", LinkKind.Lore)]
    [InlineData("https://lkml.kernel.org/r/20200901.abc@kernel.org", LinkKind.Lore)]
    [InlineData("https://patchwork.kernel.org/project/linux-mm/list/", LinkKind.Lore)]
    [InlineData("https://lkml.org/lkml/2020/9/1/1", LinkKind.Lore)]
    [InlineData("https://www.kernel.org/doc/html/latest/filesystems/zonefs.html", LinkKind.Docs)]
    [InlineData("https://docs.kernel.org/mm/transhuge.html", LinkKind.Docs)]
    [InlineData("https://www.amd.com/system/files/TechDocs/24593.pdf", LinkKind.Docs)]
    [InlineData("https://developer.amd.com/wp-content/resources/56421.pdf", LinkKind.Docs)]
    [InlineData("https://example.com/Spec.PDF?download=1", LinkKind.Docs)]
    [InlineData("https://example.org/project/doc/intro.html", LinkKind.Docs)]
    [InlineData("https://www.cnblogs.com/goaheadbus/p/12127717.html", LinkKind.Other)]
    [InlineData("https://www.felixcloutier.com/x86/movdir64b", LinkKind.Other)]
    [InlineData("https://github.com/torvalds/linux/commit/abc", LinkKind.Other)]
    [InlineData("https://example.com/lwn.net/Articles/1", LinkKind.Other)]
    [InlineData("https://lwn.net.example.com/Articles/1", LinkKind.Other)]
    [InlineData("lwn.net/Articles/1", LinkKind.Other)]
    [InlineData("not a url", LinkKind.Other)]
    [InlineData("", LinkKind.Other)]
    public void Classify_ByAddress(string url, LinkKind expected) => Assert.Equal(expected, LinkKinds.Classify(url));

    [Fact]
    public void ReportLink_KindFollowsItsUrl()
    {
        Assert.Equal(LinkKind.Lwn, new ReportLink("https://lwn.net/Articles/830153", "补丁").Kind);
        Assert.Equal(LinkKind.Docs, new ReportLink("https://www.kernel.org/doc/html/latest/").Kind);
    }
}
