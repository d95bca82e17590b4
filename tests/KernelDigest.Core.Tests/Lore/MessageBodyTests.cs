using KernelDigest.Core.Lore;

namespace KernelDigest.Core.Tests.Lore;

/// <summary>Cover letters and patches read for their opening, changelog, trailers, files and change-id.</summary>
public sealed class MessageBodyTests
{
    [Theory]
    [InlineData("Changes in v3:\n- Report the exit to userspace.\n- Add a flag,\n  even for other exits.\n- Link to v2: https://lore.kernel.org/r/x\n", "Changes in v3:")]
    [InlineData("v2 -> v3:\n- Clear the flag early.\n- Update the comment.\n", "v2 -> v3:")]
    [InlineData("Changes since v2:\n\n*\tUse a simpler way.\n\n*\tFix typos.\n", "Changes since v2:")]
    [InlineData("v9 -> v10:\n\n* Rebase on v5.9-rc6.\n* Update commit messages.\n", "v9 -> v10:")]
    [InlineData("V1->V2:\nMove the check.\nCover the platform data path.\n", "V1->V2:")]
    [InlineData("Changelog:\n\nv3:\n - Rebased on v5.9-rc3.\n - Restored the statistics.\n", "v3:")]
    public void Reads_each_changelog_style_with_its_items(string block, string label)
    {
        var parsed = MessageBody.Parse("Opening words of the series.\n\n" + block + "\nAuthor Name (2):\n  patch one\n");

        var change = Assert.Single(parsed.Changelog);
        Assert.Equal(label, change.Label);
        Assert.Equal(2, change.Items.Count(i => !i.StartsWith("Link to", StringComparison.Ordinal)));
        Assert.Equal(["Opening words of the series."], parsed.Opening);
    }

    [Fact]
    public void Joins_wrapped_items_and_keeps_every_block_in_order()
    {
        var parsed = MessageBody.Parse("""
            Hi all,

            This series does one thing
            across two lines.

            v9 -> v10:

            * Rebase on top of v5.9-rc6.
            * Update commit messages to include the changelog before the
              SoB tag(s).

            v8 -> v9:

            * Rebase on top of v5.9-rc4.

            [1] https://aws.amazon.com/ec2/nitro/nitro-enclaves/
            """);

        Assert.Equal(["This series does one thing across two lines."], parsed.Opening); // the greeting is skipped
        Assert.Equal(["v9 -> v10:", "v8 -> v9:"], parsed.Changelog.Select(c => c.Label));
        Assert.Equal("Update commit messages to include the changelog before the SoB tag(s).", parsed.Changelog[0].Items[1]);
        Assert.Equal(["Rebase on top of v5.9-rc4."], parsed.Changelog[1].Items);
    }

    [Fact]
    public void A_lone_patch_gives_its_commit_message_and_the_notes_after_the_separator()
    {
        var parsed = MessageBody.Parse("""
            Mark pinned pages as dirty.

            Signed-off-by: Cfir Cohen <cfir@google.com>
            ---
            Changes since v1:
             - Updated commit message.

             arch/x86/kvm/svm/sev.c | 7 +++++++
             1 file changed, 7 insertions(+)

            diff --git a/arch/x86/kvm/svm/sev.c b/arch/x86/kvm/svm/sev.c
            """);

        Assert.Equal(["Mark pinned pages as dirty."], parsed.Opening);
        Assert.Equal(["Updated commit message."], Assert.Single(parsed.Changelog).Items);
    }

    [Fact]
    public void Trailers_count_only_when_not_quoted()
    {
        var tags = MessageBody.ReviewTags("""
            > Reviewed-by: Someone Quoted <quoted@example.com>
            Looks good,

            Reviewed-by: Christoph Hellwig <hch@lst.de>
            Acked-by: "Tejun Heo" <TJ@kernel.org>
            Signed-off-by: Not A Review <x@example.com>
            """).ToList();

        Assert.Equal([("Reviewed-by", "hch@lst.de"), ("Acked-by", "tj@kernel.org")], tags.Select(t => (t.Kind, t.Person.Email)));
        Assert.Equal("Tejun Heo", tags[1].Person.Name);
    }

    [Fact]
    public void Files_and_change_id_come_from_the_diff_and_the_cover_tail()
    {
        const string body = "x\n---\ndiff --git a/fs/read_write.c b/fs/read_write.c\n+a\ndiff --git a/include/uapi/linux/fs.h b/include/uapi/linux/fs.h\n+b\n---\nbase-commit: abc\nchange-id: 20200817-bus-lock-vmexit-0f9e8d7c6b5a\n";

        Assert.Equal(["fs/read_write.c", "include/uapi/linux/fs.h"], MessageBody.FilesTouched(body));
        Assert.Equal("20200817-bus-lock-vmexit-0f9e8d7c6b5a", MessageBody.ChangeId(body));
        Assert.True(MessageBody.HasDiff(body));
    }
}
