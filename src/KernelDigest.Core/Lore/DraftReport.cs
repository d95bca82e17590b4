using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Subsystems;

namespace KernelDigest.Core.Lore;

/// <summary>The ranked series of one subsystem for a draft: the top ones and how many were found in all.</summary>
public sealed record SubsystemDraft(Subsystem Subsystem, IReadOnlyList<PatchSeries> Top, int Found);

/// <summary>
/// Turns ranked series into a draft report (<c>status: draft</c>), and merges a new draft into the one an editor has
/// been working on. Each drafted entry carries a note: its rank facts and a stamp of what was generated, so a later
/// run can tell an entry the editor changed (kept as written, only its note refreshed) from one nobody touched
/// (replaced by the new facts).
/// </summary>
public static partial class DraftReport
{
    /// <summary>Starts every summary paragraph taken from a cover letter: the author's words, not yet commentary.</summary>
    public const string CoverLetterMarker = "(cover letter) ";

    public static ReportEntry Entry(PatchSeries s, int rank, int of, string sectionName)
    {
        var entry = new ReportEntry
        {
            Title = s.Title.Length > 0 ? s.Title : s.Latest.Label,
            Authors = [s.Author.Name],
            Keywords = s.Keywords,
            Summary = [.. s.CoverOpening.Select(p => CoverLetterMarker + p)],
            Changelog = s.Changelog,
            Links = [.. s.Versions.Select(v => new ReportLink(v.Url, v.Label))],
        };
        return entry with { Note = $"rank {rank} of {of} in {sectionName}, {SeriesRanking.Facts(s)}; draft {Stamp(entry)}" };
    }

    public static Report Build(ReportMonth month, string title, IEnumerable<SubsystemDraft> sections) => new()
    {
        Month = month,
        Title = title,
        Status = ReportStatus.Draft,
        Sections = [.. sections.Where(d => d.Top.Count > 0).Select(d => new ReportSection
        {
            Heading = d.Subsystem.NameZh,
            Subsystem = d.Subsystem.Key,
            Entries = [.. d.Top.Select((s, i) => Entry(s, i + 1, d.Found, d.Subsystem.NameEn))],
        })],
    };

    /// <summary>
    /// A new draft merged into the editor's: the editor's front matter, preface, sections, intros and order are kept;
    /// an entry the editor changed is kept as written with a refreshed note; an untouched one is replaced by the new
    /// facts (new versions, reviews); series not in the editor's file are added at the end of their section; nothing
    /// the editor wrote is dropped.
    /// </summary>
    public static Report Merge(Report editor, Report fresh)
    {
        var freshEntries = fresh.Sections.SelectMany(s => s.Entries.Select(e => (Section: s, Entry: e))).ToList();
        var used = new HashSet<ReportEntry>(ReferenceEqualityComparer.Instance);
        var sections = new List<ReportSection>();
        foreach (var section in editor.Sections)
        {
            var entries = new List<ReportEntry>();
            foreach (var old in section.Entries)
            {
                var match = freshEntries.FirstOrDefault(f => !used.Contains(f.Entry) && SameSeries(old, f.Entry));
                if (match.Entry is null)
                {
                    entries.Add(old);
                    continue;
                }
                used.Add(match.Entry);
                entries.Add(IsUntouched(old) ? match.Entry : old with { Note = RefreshNote(match.Entry.Note, old.Note) });
            }
            entries.AddRange(freshEntries.Where(f => f.Section.Subsystem == section.Subsystem && used.Add(f.Entry)).Select(f => f.Entry));
            sections.Add(section with { Entries = entries });
        }
        foreach (var section in fresh.Sections)
        {
            var left = section.Entries.Where(used.Add).ToList();
            if (left.Count > 0)
                sections.Add(section with { Entries = left });
        }
        return editor with { Sections = sections };
    }

    /// <summary>The new rank facts with the old stamp: an edited entry stays "edited" on every later run.</summary>
    private static string? RefreshNote(string? freshNote, string? oldNote)
    {
        if (freshNote is null)
            return oldNote;
        var facts = StampRe().Replace(freshNote, "");
        var oldStamp = oldNote is not null && StampRe().Match(oldNote) is { Success: true } m ? m.Value : "; edited";
        return facts + oldStamp;
    }

    /// <summary>Same series: a lore link in common, else the same title.</summary>
    private static bool SameSeries(ReportEntry a, ReportEntry b) =>
        a.Links.Any(l => l.Kind == LinkKind.Lore && b.Links.Any(m => string.Equals(l.Url, m.Url, StringComparison.OrdinalIgnoreCase)))
        || string.Equals(a.Title, b.Title, StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the entry is exactly as a draft run wrote it (its content still matches its stamp).</summary>
    public static bool IsUntouched(ReportEntry entry) =>
        entry.Note is { } note && StampRe().Match(note) is { Success: true } m && m.Groups[1].Value == Stamp(entry);

    /// <summary>A short hash of everything an editor could change in an entry, except the note itself.</summary>
    public static string Stamp(ReportEntry e)
    {
        var sb = new StringBuilder();
        sb.Append(e.Title).Append('\u0001').AppendJoin('\u0002', e.Authors).Append('\u0001').AppendJoin('\u0002', e.Keywords).Append('\u0001')
            .AppendJoin('\u0002', e.Summary).Append('\u0001');
        foreach (var c in e.Changelog)
            sb.Append(c.Label).Append('\u0003').AppendJoin('\u0002', c.Items).Append('\u0001');
        foreach (var l in e.Links)
            sb.Append(l.Url).Append('\u0003').Append(l.Label).Append('\u0001');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..8];
    }

    /// <summary>
    /// A report title for a new month, following the latest report's pattern ("…(2020年09月)" → "…(2020年10月)");
    /// a plain one when there is none to follow.
    /// </summary>
    public static string TitleFor(ReportMonth month, Report? previous)
    {
        if (previous is not null && ZhMonth().IsMatch(previous.Title))
            return ZhMonth().Replace(previous.Title, $"{month.Year:D4}年{month.Month:D2}月", 1);
        if (previous is not null && IsoMonth().IsMatch(previous.Title))
            return IsoMonth().Replace(previous.Title, month.ToString(), 1);
        return $"Linux内核月报({month.Year:D4}年{month.Month:D2}月)";
    }

    [GeneratedRegex(@"; (?:draft ([0-9a-f]{8})|edited)$")]
    private static partial Regex StampRe();

    [GeneratedRegex(@"\d{4}年\d{1,2}月")]
    private static partial Regex ZhMonth();

    [GeneratedRegex(@"\d{4}-\d{2}")]
    private static partial Regex IsoMonth();
}
