namespace KernelDigest.Core.Reports;

/// <summary>One month's report: the unit editors publish and the bot loads from one file.</summary>
public sealed record Report
{
    /// <summary>The report's month, e.g. 2020-09.</summary>
    public required ReportMonth Month { get; init; }

    /// <summary>The newsletter's running issue number (总第4期 → 4), when known.</summary>
    public int? Issue { get; init; }

    public required string Title { get; init; }
    public IReadOnlyList<string> Contributors { get; init; } = [];

    /// <summary>Where the report comes from (publication name or URL), as written.</summary>
    public string? Source { get; init; }

    /// <summary>Text of the report's own preamble (e.g. "关于Linux内核月报"), kept but not searched.</summary>
    public string? Preface { get; init; }

    public IReadOnlyList<ReportSection> Sections { get; init; } = [];

    /// <summary>
    /// <c>status:</c> in the front matter. A draft is loaded and checked but never served in chats or sent as a digest;
    /// null (files written before drafts existed) counts as published.
    /// </summary>
    public ReportStatus? Status { get; init; }

    /// <summary>When the report was published (<c>published:</c>, UTC), set by the publish command.</summary>
    public DateTimeOffset? Published { get; init; }

    public bool IsDraft => Status == ReportStatus.Draft;

    /// <summary>The file this report was loaded from, for messages; null when built in memory.</summary>
    public string? SourcePath { get; init; }

    public IEnumerable<ReportEntry> Entries => Sections.SelectMany(s => s.Entries);
}

/// <summary>A section of a report, usually one kernel subsystem ("虚拟化", "文件系统和Block Layer").</summary>
public sealed record ReportSection
{
    /// <summary>The heading as written in the report.</summary>
    public required string Heading { get; init; }

    /// <summary>Canonical subsystem key from the taxonomy (e.g. "virtualization"); "other" when unmapped.</summary>
    public required string Subsystem { get; init; }

    /// <summary>The section's own introduction paragraphs, kept as the section summary.</summary>
    public IReadOnlyList<string> Intro { get; init; } = [];

    public IReadOnlyList<ReportEntry> Entries { get; init; } = [];
}

/// <summary>One patch series (or topic) in a section.</summary>
public sealed record ReportEntry
{
    public required string Title { get; init; }
    public IReadOnlyList<string> Authors { get; init; } = [];
    public IReadOnlyList<string> Summary { get; init; } = [];
    public IReadOnlyList<VersionChange> Changelog { get; init; } = [];
    public IReadOnlyList<ReportLink> Links { get; init; } = [];
    public IReadOnlyList<string> Keywords { get; init; } = [];

    /// <summary>An editor's note (<c>- note:</c>, e.g. the facts behind a drafted entry's rank): kept, never shown or searched.</summary>
    public string? Note { get; init; }

    /// <summary>The first sentence of the summary: the one-line description shown in lists.</summary>
    public string OneLine => TextUtil.FirstSentence(Summary.Count > 0 ? Summary[0] : Title);
}

/// <summary>A changelog block between two versions of a series, label kept as written ("V1 -》V2的改变").</summary>
public sealed record VersionChange(string Label, IReadOnlyList<string> Items)
{
    /// <summary>The versions the label names, normalised ("v1", "v2"), when they can be read.</summary>
    public (string From, string To)? Versions => TextUtil.ParseVersionLabel(Label);
}

/// <summary>A link with its label as written and a kind derived from the address.</summary>
public sealed record ReportLink(string Url, string? Label = null)
{
    public LinkKind Kind => LinkKinds.Classify(Url);
}

/// <summary>Where a report is in the editors' workflow.</summary>
public enum ReportStatus
{
    Draft,
    Published,
}

public enum LinkKind
{
    Lwn,
    Lore,
    Docs,
    Other,
}

public static class LinkKinds
{
    /// <summary>Classifies by host: LWN articles, lore/patchwork mailing-list archives, documentation sites.</summary>
    public static LinkKind Classify(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            return LinkKind.Other;
        var host = uri.Host.ToLowerInvariant();
        if (host is "lwn.net" or "www.lwn.net")
            return LinkKind.Lwn;
        if (host is "lore.kernel.org" or "lkml.kernel.org" or "patchwork.kernel.org" or "lkml.org" or "marc.info")
            return LinkKind.Lore;
        if (host is "www.kernel.org" or "docs.kernel.org" or "kernel.org" || host.StartsWith("docs.", StringComparison.Ordinal)
            || uri.AbsolutePath.Contains("/doc/", StringComparison.OrdinalIgnoreCase)
            || uri.AbsolutePath.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase)
            || uri.AbsolutePath.Contains("/TechDocs/", StringComparison.OrdinalIgnoreCase))
            return LinkKind.Docs;
        return LinkKind.Other;
    }
}
