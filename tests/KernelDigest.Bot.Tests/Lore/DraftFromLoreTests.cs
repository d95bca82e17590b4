using KernelDigest.Bot.Tests.LoreDouble;
using KernelDigest.Core.Reports;

namespace KernelDigest.Bot.Tests.Lore;

/// <summary>A month drafted from the lore double, compared with what its fixture messages hold.</summary>
public sealed class DraftFromLoreTests
{
    private static async Task<(Report Draft, FakeLore Lore)> Draft(string? cache = null)
    {
        var lore = await FakeLore.StartAsync(LoreArchive.Fixtures(LoreHarness.EmptyInboxes));
        using var client = LoreHarness.Client(LoreHarness.Options(lore, cache));
        return (await LoreHarness.DraftAsync(client), lore);
    }

    private static ReportEntry Entry(Report draft, string title) =>
        draft.Entries.SingleOrDefault(e => e.Title == title) ?? throw new Xunit.Sdk.XunitException($"no entry '{title}' in: {string.Join(" | ", draft.Entries.Select(e => e.Title))}");

    [Fact]
    public async Task Every_series_of_the_month_is_drafted_with_its_author_keywords_and_the_link_of_each_version()
    {
        var (draft, lore) = await Draft();
        await using var _ = lore;
        var kvm = $"{lore.BaseUrl}kvm/";

        Assert.Equal(["virtualization", "filesystems", "networking", "architecture"], draft.Sections.Select(s => s.Subsystem));
        Assert.Equal(
            ["Enable bus lock VM exit", "Add support for Nitro Enclaves", "Mark SEV launch secret pages as dirty.", "Support PAGE_SIZE larger than 4K", "Introduce the TDP MMU", "Add a dedicated INVD intercept routine"],
            draft.Sections[0].Entries.Select(e => e.Title));
        var tdp = Entry(draft, "Introduce the TDP MMU");
        Assert.Equal(["Ben Gardon"], tdp.Authors);
        Assert.Equal(["KVM", "x86/mmu"], tdp.Keywords);
        Assert.Equal([$"{kvm}20200925212302.3979661-1-bgardon@google.com/"], tdp.Links.Select(l => l.Url));

        // change-id joins v2 and v3 although the subject changed between them.
        var busLock = Entry(draft, "Enable bus lock VM exit");
        Assert.Equal([($"{kvm}20200901-bus-lock-vmexit-v2-0-5a1b2c3d4e5f@intel.com/", "v2"), ($"{kvm}20200918-bus-lock-vmexit-v3-0-9c8b7a6d5e4f@intel.com/", "v3")],
            busLock.Links.Select(l => (l.Url, l.Label)));
        Assert.Equal(["RFC v2", "v3"], Entry(draft, "Support PAGE_SIZE larger than 4K").Links.Select(l => l.Label));
        Assert.Equal(["v2", "v2 RESEND"], Entry(draft, "Some cleanups and a cost model fix").Links.Select(l => l.Label));
        Assert.Equal(["RFC v1"], Entry(draft, "add zone-capacity support").Links.Select(l => l.Label));
        Assert.Equal(["v8"], Entry(draft, "Add support for passthrough read/write").Links.Select(l => l.Label));
        Assert.Equal(["Alessio Balsini"], Entry(draft, "Add support for passthrough read/write").Authors);
        // The cover letter of a series found through one of its patches (dfn:arch/arm64/) comes with the thread.
        var ipi = Entry(draft, "Turning IPIs into normal interrupts");
        Assert.Equal([$"{lore.BaseUrl}linux-arm-kernel/20200901144324.1071694-1-maz@kernel.org/"], ipi.Links.Select(l => l.Url));
        Assert.Equal(["arm/arm64"], ipi.Keywords);
    }

    [Fact]
    public async Task Changelogs_are_read_in_each_authors_style_with_their_items()
    {
        var (draft, lore) = await Draft();
        await using var _ = lore;

        Assert.Equal(
            [("v9 -> v10:", new[] { "Rebase on top of v5.9-rc6.", "Update commit messages to include the changelog before the SoB tag(s)." }),
             ("v8 -> v9:", new[] { "Rebase on top of v5.9-rc4.", "Add data structure to keep references to both Nitro Enclaves misc and PCI devices.", "Update NE docs location to \"virt\" directory." })],
            Entry(draft, "Add support for Nitro Enclaves").Changelog.Select(c => (c.Label, c.Items.ToArray())));
        var busLock = Entry(draft, "Enable bus lock VM exit").Changelog;
        Assert.Equal(["Changes in v3:", "Changes in v2:"], busLock.Select(c => c.Label));
        Assert.Equal("Add KVM_RUN_BUS_LOCK flag so that userspace knows a bus lock happened, even when the exit is for another reason.", busLock[0].Items[1]);
        Assert.Equal(["Changes since v2:", "Changes since v1:"], Entry(draft, "Support PAGE_SIZE larger than 4K").Changelog.Select(c => c.Label));
        var rwf = Assert.Single(Entry(draft, "add RWF_NOAPPEND flag for pwritev2").Changelog);
        Assert.Equal(("v2 -> v3:", 2), (rwf.Label, rwf.Items.Count));
        Assert.Equal(["V1->V2:"], Entry(draft, "Sanity checks for port numbers").Changelog.Select(c => c.Label));
        Assert.Equal(["v3:", "v2:"], Entry(draft, "Turning IPIs into normal interrupts").Changelog.Select(c => c.Label));
        Assert.Empty(Entry(draft, "Introduce the TDP MMU").Changelog);
    }

    [Fact]
    public async Task Summaries_are_the_cover_letters_words_and_notes_carry_the_facts_behind_the_rank()
    {
        var (draft, lore) = await Draft();
        await using var _ = lore;

        var tdp = Entry(draft, "Introduce the TDP MMU");
        Assert.Equal(2, tdp.Summary.Count);
        Assert.All(tdp.Summary, p => Assert.StartsWith("(cover letter) ", p, StringComparison.Ordinal));
        Assert.StartsWith("(cover letter) Over the years, the needs for KVM's x86 MMU have grown", tdp.Summary[0], StringComparison.Ordinal);
        Assert.DoesNotContain(Entry(draft, "Support PAGE_SIZE larger than 4K").Summary, p => p.Contains("https://", StringComparison.Ordinal));

        Assert.Contains("1 reviewer, 1 review tag, 2 replies from 2 people", tdp.Note, StringComparison.Ordinal);
        Assert.Contains("applied (b4 ty: Paolo Bonzini: Applied, thanks!)", Entry(draft, "Mark SEV launch secret pages as dirty.").Note, StringComparison.Ordinal);
        Assert.Contains("applied (patchwork-bot: netdev/net-next.git (refs/heads/master))", Entry(draft, "Sanity checks for port numbers").Note, StringComparison.Ordinal);
        Assert.Contains("applied (reply: Paolo Bonzini: Queued, thanks.)", Entry(draft, "Enable bus lock VM exit").Note, StringComparison.Ordinal);
        Assert.Contains("applied (reply: Jens Axboe: Applied, thanks.)", Entry(draft, "Some cleanups and a cost model fix").Note, StringComparison.Ordinal);
        // Reviews found only in threads (the dfn: search finds no replies) and tags in later patches count once.
        Assert.Contains("1 reviewer, 1 review tag, 2 replies from 2 people", Entry(draft, "add RWF_NOAPPEND flag for pwritev2").Note, StringComparison.Ordinal);
        Assert.Contains("1 reviewer, 2 review tags", Entry(draft, "Mark SEV launch secret pages as dirty.").Note, StringComparison.Ordinal); // Acked-by and Tested-by
        Assert.Contains("1 reviewer, 1 review tag", Entry(draft, "Support PAGE_SIZE larger than 4K").Note, StringComparison.Ordinal); // one Reviewed-by, given twice
        Assert.DoesNotContain("applied", Entry(draft, "Introduce the TDP MMU").Note, StringComparison.Ordinal);
        Assert.StartsWith("rank 1 of 6 in Virtualization, score 17.5:", Entry(draft, "Enable bus lock VM exit").Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Talk_old_months_and_patches_outside_the_query_stay_out()
    {
        var (draft, lore) = await Draft();
        await using var _ = lore;
        var titles = draft.Entries.Select(e => e.Title).ToList();

        Assert.Equal(14, titles.Count);
        Assert.DoesNotContain(titles, t => t.Contains("nested VMX", StringComparison.Ordinal)); // a question, no patch
        Assert.DoesNotContain(titles, t => t.Contains("kick target", StringComparison.Ordinal)); // a reply to August's patch
        Assert.DoesNotContain(titles, t => t.Contains("typo", StringComparison.Ordinal)); // zram: not under fs/
        Assert.DoesNotContain(titles, t => t.Contains("Shared Virtual Addressing", StringComparison.Ordinal)); // not under arch/arm64/
        Assert.DoesNotContain(Entry(draft, "Add support for Nitro Enclaves").Links, l => l.Label == "v8"); // posted in August
    }

    [Fact]
    public async Task Top_n_keeps_the_best_ranked_per_subsystem()
    {
        await using var lore = await FakeLore.StartAsync(LoreArchive.Fixtures(LoreHarness.EmptyInboxes));
        using var client = LoreHarness.Client(LoreHarness.Options(lore));

        var draft = await LoreHarness.DraftAsync(client, top: 2);

        Assert.Equal(["Enable bus lock VM exit", "Add support for Nitro Enclaves"], draft.Sections[0].Entries.Select(e => e.Title));
        Assert.All(draft.Sections, s => Assert.True(s.Entries.Count <= 2));
        Assert.Contains("rank 2 of 6 in Virtualization", draft.Sections[0].Entries[1].Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_are_the_result_pages_and_the_candidate_threads_and_a_second_run_reads_them_from_the_cache()
    {
        var cache = Directory.CreateTempSubdirectory("kd-lore-cache-").FullName;
        var (first, lore) = await Draft(cache);
        await using var _ = lore;
        var requests = lore.Requests;
        Assert.Equal(7, requests.Count(r => r.PathAndQuery.Contains("x=A", StringComparison.Ordinal))); // one page per inbox
        Assert.All(requests, r => Assert.StartsWith("KernelDigest/", r.UserAgent, StringComparison.Ordinal));
        Assert.All(requests.Where(r => r.PathAndQuery.Contains("t.mbox.gz", StringComparison.Ordinal)), r => Assert.Equal(200, r.Status));

        lore.ClearRequests();
        using var client = LoreHarness.Client(LoreHarness.Options(lore, cache));
        var second = await LoreHarness.DraftAsync(client);

        Assert.Empty(lore.Requests);
        Assert.Equal(requests.Count, client.CacheHits);
        Assert.Equal(ReportMarkdown.Write(first), ReportMarkdown.Write(second));
    }
}
