using KernelDigest.Core.Lore;

namespace KernelDigest.Core.Tests.Lore;

/// <summary>Subjects read as b4's LoreSubject reads them (the table in the lore reference), then split into title and keywords.</summary>
public sealed class PatchSubjectTests
{
    [Theory]
    [InlineData("[PATCH v3 05/12] KVM: x86: Add foo", 3, 5, 12, false, false, false, "KVM: x86: Add foo")]
    [InlineData("[RFC PATCH v2 0/7] mm: bar", 2, 0, 7, true, false, false, "mm: bar")]
    [InlineData("[PATCH RESEND] block: baz", 1, 1, 1, false, true, false, "block: baz")]
    [InlineData("[PATCH net-next v4 0/3] net: qux", 4, 0, 3, false, false, false, "net: qux")]
    [InlineData("[PATCHv2 1/2] riscv: x", 2, 1, 2, false, false, false, "riscv: x")]
    [InlineData("[PATCH 1/3 v2] bpf: q", 2, 1, 3, false, false, false, "bpf: q")]
    [InlineData("Re: [PATCH v3 05/12] KVM: x86: Add foo", 3, 5, 12, false, false, true, "KVM: x86: Add foo")]
    [InlineData("RE: [RFC PATCH v2 01/11] Drivers: hv: vmbus: Always use HV_HYP_PAGE_SIZE", 2, 1, 11, true, false, true, "Drivers: hv: vmbus: Always use HV_HYP_PAGE_SIZE")]
    [InlineData("[PATCH V8 0/3] fuse: Add support for passthrough read/write", 8, 0, 3, false, false, false, "fuse: Add support for passthrough read/write")]
    [InlineData("[PATCH 6/5] x: extra", 1, 6, 6, false, false, false, "x: extra")]
    public void Reads_revision_counter_flags_and_the_bare_subject(string subject, int revision, int counter, int expected, bool rfc, bool resend, bool reply, string bare)
    {
        var s = PatchSubject.Parse(subject);

        Assert.Equal((revision, counter, expected, rfc, resend, reply, bare), (s.Revision, s.Counter, s.Expected, s.IsRfc, s.IsResend, s.IsReply, s.Bare));
        Assert.True(s.IsPatch);
    }

    [Fact]
    public void Keeps_other_tags_as_prefixes_and_knows_a_cover_letter()
    {
        var s = PatchSubject.Parse("[PATCH net-next v4 0/3] net: qux");

        Assert.Equal(["net-next"], s.Prefixes);
        Assert.True(s.IsCover);
        Assert.False(PatchSubject.Parse("[PATCH] block: baz").IsCover);
    }

    [Fact]
    public void Splits_the_subsystem_prefixes_off_as_keywords()
    {
        var s = PatchSubject.Parse("[PATCH 00/22] KVM: x86/mmu: Introduce the TDP MMU");

        Assert.Equal("Introduce the TDP MMU", s.Title);
        Assert.Equal(["KVM", "x86/mmu"], s.Keywords);
        Assert.Equal("Add support for Nitro Enclaves", PatchSubject.Parse("[PATCH v10 00/18] Add support for Nitro Enclaves").Title);
        Assert.Empty(PatchSubject.Parse("[PATCH v10 00/18] Add support for Nitro Enclaves").Keywords);
    }

    [Fact]
    public void Talk_without_bracket_tags_is_not_a_patch()
    {
        var s = PatchSubject.Parse("Question: nested VMX and EPT A/D bits after migration");

        Assert.False(s.IsPatch);
        Assert.False(PatchSubject.Parse("[GIT PULL] KVM changes for 5.10").IsPatch);
        Assert.True(PatchSubject.Parse("[RFC net-next] tcp: keep the window open").IsPatch);
    }

    [Fact]
    public void Normalised_subject_ignores_tags_case_and_spacing()
    {
        Assert.Equal(PatchSubject.Parse("[PATCH net-next 0/2] net: dsa:  Sanity checks for port numbers").Normalized,
            PatchSubject.Parse("[PATCH v2 net-next 0/2] net: dsa: sanity checks for port numbers").Normalized);
    }
}
