using KernelDigest.Core.Reports;

namespace KernelDigest.Core.Lore;

/// <summary>One posting of a series: a cover letter with its patches, or a lone patch.</summary>
public sealed record SeriesVersion
{
    public required int Revision { get; init; }
    public bool IsRfc { get; init; }
    public bool IsResend { get; init; }
    public required DateTimeOffset Date { get; init; }

    /// <summary>The lore link of the cover letter (or of the lone patch / patch 1).</summary>
    public required string Url { get; init; }

    public required string MessageId { get; init; }
    public required string Inbox { get; init; }
    public int Patches { get; init; }
    public bool HasCover { get; init; }

    /// <summary>"v3", "RFC v2", "v1 RESEND": how the version is named in notes and link labels.</summary>
    public string Label => (IsRfc ? "RFC " : "") + "v" + Revision + (IsResend ? " RESEND" : "");
}

/// <summary>How a series was seen to be applied: who or what said so, and where.</summary>
public sealed record AppliedSignal(string Source, string Detail, string Url);

/// <summary>
/// A patch series with the facts of one month: every version posted in it, the changelog, files touched and the
/// review signals of those versions' threads.
/// </summary>
public sealed record PatchSeries
{
    /// <summary>change-id when the series carries one ("cid:…"), else normalised subject and author ("subj:…").</summary>
    public required string Key { get; init; }

    public required string Title { get; init; }
    public IReadOnlyList<string> Keywords { get; init; } = [];
    public required Person Author { get; init; }
    public string? ChangeId { get; init; }

    /// <summary>Versions posted in the month, oldest first.</summary>
    public required IReadOnlyList<SeriesVersion> Versions { get; init; }

    /// <summary>The opening paragraphs of the latest cover letter (or lone patch's commit message), as written.</summary>
    public IReadOnlyList<string> CoverOpening { get; init; } = [];

    /// <summary>The changelog by version, newest block first as authors usually write it.</summary>
    public IReadOnlyList<VersionChange> Changelog { get; init; } = [];

    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>Review trailers given by people other than the author, in the patches or in replies.</summary>
    public IReadOnlyList<ReviewTag> ReviewTags { get; init; } = [];

    /// <summary>Replies in the versions' threads (bots excluded).</summary>
    public int Replies { get; init; }

    /// <summary>Distinct people other than the author who replied.</summary>
    public int Repliers { get; init; }

    public AppliedSignal? Applied { get; init; }

    public IReadOnlyList<Person> Reviewers => [.. ReviewTags.Select(t => t.Person).DistinctBy(p => p.Email)];

    public SeriesVersion Latest => Versions.OrderBy(v => v.Date).Last();
}
