using System.Globalization;
using System.Text;

namespace KernelDigest.Bot.Tests.LoreDouble;

/// <summary>
/// A generated month for paging tests and the benchmark: series of a cover letter and three patches, half of them
/// posted twice, with replies carrying review tags and now and then an "Applied, thanks!", until the inbox holds the
/// number of messages asked for. Deterministic: the same count gives the same mail.
/// </summary>
public static class SyntheticMonth
{
    public static LoreArchive Create(int messages, string inbox = "kvm", int year = 2020, int month = 9)
    {
        var archive = new LoreArchive();
        archive.AddInbox(inbox);
        var start = new DateTimeOffset(year, month, 1, 0, 0, 0, TimeSpan.Zero);
        var span = start.AddMonths(1) - start;
        var count = 0;
        for (var series = 0; count < messages; series++)
        {
            var author = $"Dev {series % 97}";
            var email = $"dev{series % 97}@example.com";
            for (var version = 1; version <= 1 + series % 2 && count < messages; version++)
            {
                var at = start + span * 0.9 * ((series * 7919 + version * 104729) % 10_000 / 10_000.0); // replies still in the month
                var cover = $"{series}.v{version}.0@synthetic.example";
                var tag = version == 1 ? "PATCH" : $"PATCH v{version}";
                var body = $"This series {series} improves the area {series % 13} of KVM.\n\nIt is generated for the benchmark.\n\n" +
                    (version > 1 ? $"Changes in v{version}:\n- Addressed review {series}.\n- Rebased.\n\n" : "") +
                    $"{author} (3):\n  one\n  two\n  three\n";
                Add(archive, inbox, cover, $"[{tag} 0/3] KVM: x86: Synthetic change number {series}", author, email, at, null, body, ref count);
                for (var p = 1; p <= 3 && count < messages; p++)
                {
                    var patch = $"{series}.v{version}.{p}@synthetic.example";
                    var diff = $"Part {p}.\n\nSigned-off-by: {author} <{email}>\n---\n arch/x86/kvm/f{series % 50}.c | 1 +\n\ndiff --git a/arch/x86/kvm/f{series % 50}.c b/arch/x86/kvm/f{series % 50}.c\n--- a/arch/x86/kvm/f{series % 50}.c\n+++ b/arch/x86/kvm/f{series % 50}.c\n@@ -1,0 +1,1 @@\n+int x{p};\n";
                    Add(archive, inbox, patch, $"[{tag} {p}/3] KVM: x86: Part {p} of change {series}", author, email, at.AddSeconds(p), cover, diff, ref count);
                }
                for (var r = 0; r < series % 4 && count < messages; r++)
                {
                    var reviewer = $"Reviewer {(series + r) % 31}";
                    var text = r == 2 && series % 8 == 3 ? "> quoted\n\nApplied, thanks!\n" : $"> quoted\n\nLooks good.\n\nReviewed-by: {reviewer} <rev{(series + r) % 31}@example.com>\n";
                    Add(archive, inbox, $"{series}.v{version}.r{r}@synthetic.example", $"Re: [{tag} 0/3] KVM: x86: Synthetic change number {series}",
                        reviewer, $"rev{(series + r) % 31}@example.com", at.AddHours(1 + r), cover, text, ref count);
                }
            }
        }
        return archive;
    }

    private static void Add(LoreArchive archive, string inbox, string id, string subject, string name, string email, DateTimeOffset date, string? parent, string body, ref int count)
    {
        var sb = new StringBuilder();
        sb.Append("From: ").Append(name).Append(" <").Append(email).Append(">\n");
        sb.Append("To: kvm@vger.kernel.org\n");
        sb.Append("Subject: ").Append(subject).Append('\n');
        sb.Append("Date: ").Append(date.ToString("ddd, d MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("Message-ID: <").Append(id).Append(">\n");
        if (parent is not null)
            sb.Append("In-Reply-To: <").Append(parent).Append(">\nReferences: <").Append(parent).Append(">\n");
        sb.Append("MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n\n").Append(body);
        archive.Add(inbox, sb.ToString());
        count++;
    }
}
