using KernelDigest.Core.Lore;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Search;
using KernelDigest.Core.Subsystems;

namespace KernelDigest.Core.Tests.Lore;

/// <summary>Series to draft entries, drafts through the report format, and a second run merged into an editor's file.</summary>
public sealed class DraftReportTests
{
    private static readonly string Repo = FindRepo();
    private static readonly SubsystemCatalog Catalog = SubsystemCatalog.Load(Path.Combine(Repo, "config", "subsystems.yaml"));
    private static readonly DateTimeOffset From = new(2020, 9, 1, 0, 0, 0, TimeSpan.Zero);

    private static string FindRepo()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Bot.sln")))
            dir = dir.Parent;
        return dir!.FullName;
    }

    private static LoreMessage Mail(string id, string subject, string body, int day, string from = "Jane Dev", string? parent = null) => new()
    {
        MessageId = id,
        Inbox = "kvm",
        Subject = subject,
        AuthorName = from,
        AuthorEmail = from.Replace(' ', '.').ToLowerInvariant() + "@example.com",
        Date = From.AddDays(day),
        InReplyTo = parent,
        References = parent is null ? [] : [parent],
        Body = body,
        Url = $"https://lore.kernel.org/kvm/{id}/",
        ExactBody = true,
    };

    private static List<LoreMessage> Month(bool withV3 = true)
    {
        var list = new List<LoreMessage>
        {
            Mail("v2-0@x", "[PATCH v2 0/1] KVM: x86: Do the thing", "Does the thing.\n\nChanges in v2:\n- Fix A.\n", 1),
            Mail("v2-1@x", "[PATCH v2 1/1] KVM: x86: Do the thing", "Patch.\n---\ndiff --git a/arch/x86/kvm/x86.c b/arch/x86/kvm/x86.c\n+x\n", 1, parent: "v2-0@x"),
            Mail("r1@x", "Re: [PATCH v2 1/1] KVM: x86: Do the thing", "> Patch.\n\nReviewed-by: Rev One <rev.one@example.com>\n", 2, "Rev One", "v2-1@x"),
            Mail("talk@x", "Question about something", "Hi", 3, "Someone Else"),
            Mail("r2@x", "Re: Question about something", "Applied to my brain, thanks", 3, "Rev One", "talk@x"),
        };
        if (withV3)
        {
            list.Add(Mail("v3-0@x", "[PATCH v3 0/1] KVM: x86: Do the thing", "Does the thing.\n\nChanges in v3:\n- Fix B.\n", 10));
            list.Add(Mail("ty@x", "Re: [PATCH v3 0/1] KVM: x86: Do the thing", "On day, Jane wrote:\n> Does the thing.\n\nQueued, thanks.\n", 12, "Main Tainer", "v3-0@x"));
        }
        return list;
    }

    [Fact]
    public void Builds_one_series_across_versions_with_its_signals_and_ignores_talk()
    {
        var series = Assert.Single(SeriesBuilder.Build(Month(), From, From.AddMonths(1)));

        Assert.Equal("Do the thing", series.Title);
        Assert.Equal(["KVM", "x86"], series.Keywords);
        Assert.Equal([2, 3], series.Versions.Select(v => v.Revision));
        Assert.Equal(["Changes in v3:", "Changes in v2:"], series.Changelog.Select(c => c.Label));
        Assert.Equal(["arch/x86/kvm/x86.c"], series.Files);
        Assert.Equal("rev.one@example.com", Assert.Single(series.Reviewers).Email);
        Assert.Equal(2, series.Replies);
        Assert.Equal("reply", series.Applied?.Source);
        Assert.Contains("Queued, thanks.", series.Applied?.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Versions_outside_the_month_do_not_count()
    {
        var series = Assert.Single(SeriesBuilder.Build(Month(), From.AddDays(5), From.AddMonths(1)));

        Assert.Equal([3], series.Versions.Select(v => v.Revision));
    }

    [Fact]
    public void Ranking_follows_the_documented_score()
    {
        var series = Assert.Single(SeriesBuilder.Build(Month(), From, From.AddMonths(1)));

        // 3×2 versions + 2×1 reviewer + 1 tag + 2 repliers + 0.5×2 replies + 5 applied
        Assert.Equal(17, SeriesRanking.Score(series));
        Assert.StartsWith("score 17: 2 versions (v2, v3), 1 reviewer, 1 review tag, 2 replies from 2 people, applied (reply:", SeriesRanking.Facts(series), StringComparison.Ordinal);
    }

    private static Report Draft(bool withV3 = true)
    {
        var series = SeriesBuilder.Build(Month(withV3), From, From.AddMonths(1));
        return DraftReport.Build(new ReportMonth(2020, 9), "Linux内核月报(2020年09月)", [new SubsystemDraft(Catalog.Find("virtualization")!, series, series.Count)]);
    }

    [Fact]
    public void A_draft_reads_back_exactly_with_its_status_and_notes()
    {
        var draft = Draft();

        var text = ReportMarkdown.Write(draft);
        var back = ReportMarkdown.Read(text, "2020-09.md", Catalog);

        Assert.Empty(back.Errors);
        Assert.Equal(text, ReportMarkdown.Write(back.Report!));
        Assert.Contains("status: draft\n", text, StringComparison.Ordinal);
        Assert.True(back.Report!.IsDraft);
        var entry = Assert.Single(back.Report.Entries);
        Assert.True(DraftReport.IsUntouched(entry));
        Assert.StartsWith(DraftReport.CoverLetterMarker + "Does the thing.", entry.Summary[0], StringComparison.Ordinal);
        Assert.Equal(["v2", "v3"], entry.Links.Select(l => l.Label));
    }

    [Fact]
    public void Published_time_and_status_read_back_and_a_bad_status_is_an_error_with_its_line()
    {
        var published = Draft() with { Status = ReportStatus.Published, Published = new DateTimeOffset(2020, 10, 3, 8, 0, 0, TimeSpan.Zero) };
        var text = ReportMarkdown.Write(published);

        var back = ReportMarkdown.Read(text, "2020-09.md", Catalog).Report!;

        Assert.Equal(published.Published, back.Published);
        Assert.False(back.IsDraft);
        var bad = ReportMarkdown.Read(text.Replace("status: published", "status: ready", StringComparison.Ordinal), "2020-09.md", Catalog);
        Assert.Null(bad.Report);
        Assert.Contains(bad.Errors, e => e.Line == 4 && e.Message.Contains("not draft or published", StringComparison.Ordinal));
    }

    [Fact]
    public void A_second_run_keeps_edited_entries_replaces_untouched_ones_and_adds_new_series()
    {
        // The editor's file: drafted before v3 existed, then one entry rewritten and one written by hand.
        var first = ReportMarkdown.Read(ReportMarkdown.Write(Draft(withV3: false)), "2020-09.md", Catalog).Report!;
        var section = first.Sections[0];
        var handWritten = new ReportEntry { Title = "An editor's own entry", Summary = ["Written by hand."] };
        var editor = first with { Title = "Edited title", Sections = [section with { Entries = [.. section.Entries, handWritten] }] };

        var untouched = DraftReport.Merge(editor, Draft());
        Assert.Equal("Edited title", untouched.Title);
        Assert.Equal(["v2", "v3"], untouched.Entries.First().Links.Select(l => l.Label)); // refreshed with v3
        Assert.Contains(untouched.Entries, e => e.Title == "An editor's own entry");

        var commented = editor with { Sections = [editor.Sections[0] with { Entries = [editor.Sections[0].Entries[0] with { Summary = ["编辑点评：写好了。"] }, handWritten] }] };
        var merged = DraftReport.Merge(commented, Draft());
        var kept = merged.Entries.First();
        Assert.Equal(["编辑点评：写好了。"], kept.Summary);
        Assert.Equal(["v2"], kept.Links.Select(l => l.Label)); // the editor's text is not touched
        Assert.Contains("2 versions (v2, v3)", kept.Note, StringComparison.Ordinal); // but the rank note is refreshed
        Assert.False(DraftReport.IsUntouched(kept));
        Assert.Equal(2, merged.Entries.Count());
    }

    [Fact]
    public void The_served_library_leaves_drafts_out_unless_asked()
    {
        var dir = Directory.CreateTempSubdirectory("kd-drafts-").FullName;
        File.Copy(Path.Combine(Repo, "config", "reports", "2020-09.md"), Path.Combine(dir, "2020-09.md"));
        var draft = Draft() with { Month = new ReportMonth(2020, 10) };
        File.WriteAllText(Path.Combine(dir, "2020-10.md"), ReportMarkdown.Write(draft));
        var glossary = Glossary.Load(Path.Combine(Repo, "config", "glossary.yaml"));

        var served = new ReportLibrary(dir, Catalog, new PatchIndexFactory(glossary, Catalog, null)).Reload();
        var all = new ReportLibrary(dir, Catalog, new PatchIndexFactory(glossary, Catalog, null), includeDrafts: true).Reload();

        Assert.Equal([new ReportMonth(2020, 9)], served.Months);
        Assert.Equal(new ReportMonth(2020, 9), served.Latest?.Month);
        Assert.Empty(served.Errors);
        Assert.Equal([new ReportMonth(2020, 10), new ReportMonth(2020, 9)], all.Months);
    }
}
