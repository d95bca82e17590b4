using KernelDigest.Core.Reports;
using KernelDigest.Core.Subsystems;

namespace KernelDigest.Core.Search;

/// <summary>
/// What the user asked <c>/patch</c> for: free text plus optional filters written inside the query
/// (<c>subsystem:kvm</c>, <c>month:2020-09</c>).
/// </summary>
public sealed record PatchQuery(string Text, Subsystem? Subsystem = null, ReportMonth? Month = null)
{
    /// <summary>Longest query accepted, in characters; longer ones are refused with this number in the message.</summary>
    public const int MaxLength = 256;

    public bool HasFilters => Subsystem is not null || Month is not null;

    /// <summary>Splits filters from text. Errors name what was wrong (unknown subsystem, malformed month).</summary>
    public static PatchQueryParse Parse(string input, SubsystemCatalog subsystems)
    {
        var words = new List<string>();
        Subsystem? subsystem = null;
        ReportMonth? month = null;
        foreach (var word in input.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = word.IndexOfAny([':', '：']);
            var key = colon > 0 ? word[..colon].ToLowerInvariant() : "";
            var value = colon > 0 ? word[(colon + 1)..] : "";
            switch (key)
            {
                case "subsystem" or "sub" or "子系统" when value.Length > 0:
                    subsystem = subsystems.Resolve(value);
                    if (subsystem is null)
                        return new PatchQueryParse(null, new PatchQueryError.UnknownSubsystem(value));
                    break;
                case "month" or "月份" when value.Length > 0:
                    if (!ReportMonth.TryParse(value, out var m))
                        return new PatchQueryParse(null, new PatchQueryError.BadMonth(value));
                    month = m;
                    break;
                default:
                    words.Add(word);
                    break;
            }
        }
        return new PatchQueryParse(new PatchQuery(string.Join(' ', words), subsystem, month), null);
    }
}

public sealed record PatchQueryParse(PatchQuery? Query, PatchQueryError? Error);

/// <summary>Why a query could not be run; the command layer turns each into a clear answer.</summary>
public abstract record PatchQueryError
{
    public sealed record UnknownSubsystem(string Name) : PatchQueryError;
    public sealed record BadMonth(string Text) : PatchQueryError;
}

/// <summary>A part of a snippet; highlighted parts are where the query matched.</summary>
public sealed record SnippetPart(string Text, bool Highlight);

/// <summary>A short excerpt of an entry around what matched, split into plain and highlighted parts.</summary>
public sealed record Snippet(IReadOnlyList<SnippetPart> Parts)
{
    public string PlainText => string.Concat(Parts.Select(p => p.Text));
    public bool IsEmpty => Parts.Count == 0;
    public static Snippet None { get; } = new([]);
}

/// <summary>One search result: where the entry lives, how well it matched, and an excerpt.</summary>
public sealed record SearchHit(Report Report, ReportSection Section, ReportEntry Entry, float Score, Snippet Snippet);

/// <summary>A page of results and the total number of matching entries.</summary>
public sealed record SearchResults(IReadOnlyList<SearchHit> Hits, int Total);
