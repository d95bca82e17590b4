using System.Text.RegularExpressions;
using KernelDigest.Core.Reports;

namespace KernelDigest.Core.Lore;

/// <summary>A person named in a trailer or a From: header.</summary>
public sealed record Person(string Name, string Email)
{
    public static Person Of(LoreMessage m) => new(m.AuthorName, m.AuthorEmail.ToLowerInvariant());
}

/// <summary>A review trailer (Reviewed-by, Acked-by, Tested-by) and who gave it.</summary>
public sealed record ReviewTag(string Kind, Person Person);

/// <summary>
/// What a message body says, read with the conventions of patch e-mail (KD submitting-patches.rst, b4): the diff and
/// files it touches, trailers, change-id, and, for a cover letter or a lone patch, the opening paragraphs and the
/// changelog by version. Heuristic by nature: changelog styles vary by author.
/// </summary>
public static partial class MessageBody
{
    /// <summary>b4's DIFF_RE: the body carries a patch.</summary>
    public static bool HasDiff(string body) => DiffRe().IsMatch(body);

    /// <summary>The files a patch touches (post-image paths of <c>diff --git</c> headers), in order of appearance.</summary>
    public static IEnumerable<string> FilesTouched(string body)
    {
        foreach (Match m in DiffGit().Matches(body))
            yield return m.Groups[1].Value;
    }

    public static string? ChangeId(string body) => ChangeIdRe().Match(body) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>Lines not quoted from an earlier message: a tag or "Applied" inside a quote is someone else's.</summary>
    public static IEnumerable<string> UnquotedLines(string body) =>
        body.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => !l.TrimStart().StartsWith('>'));

    /// <summary>Reviewed-by, Acked-by and Tested-by trailers on unquoted lines.</summary>
    public static IEnumerable<ReviewTag> ReviewTags(string body)
    {
        foreach (var line in UnquotedLines(body))
        {
            if (Trailer().Match(line) is { Success: true } m)
            {
                var kind = m.Groups[1].Value;
                var name = m.Groups[2].Value.Trim().Trim('"');
                var email = m.Groups[3].Value.Trim().ToLowerInvariant();
                yield return new ReviewTag(char.ToUpperInvariant(kind[0]) + kind[1..].ToLowerInvariant(), new Person(name.Length > 0 ? name : email, email));
            }
        }
    }

    /// <summary>The parts of a cover letter (or of a lone patch) an editor starts from.</summary>
    public sealed record Parsed(IReadOnlyList<string> Opening, IReadOnlyList<VersionChange> Changelog);

    /// <summary>
    /// Reads the opening paragraphs (up to <paramref name="maxParagraphs"/>, lines unwrapped, a greeting skipped) and
    /// the changelog blocks: "Changes in v3:", "Changes since v2:", "v2 -> v3:", "V1->V2:", "v1 (RFC) -> v2", or a
    /// "Changelog:" heading over "v3:" sub-headings. Each block's list items are kept (continuation lines joined);
    /// a block without list markers keeps each line as an item. The label is kept as written.
    /// </summary>
    public static Parsed Parse(string body, int maxParagraphs = 3)
    {
        var lines = body.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        var opening = new List<string>();
        var changelog = new List<(string Label, List<string> Items)>();
        var paragraph = new List<string>();
        var inOpening = true;
        var inCommitTrailers = false;
        List<string>? items = null; // the current changelog block's items
        var blockHasMarkers = false;
        var pendingBlank = false;

        void EndParagraph()
        {
            if (paragraph.Count > 0 && inOpening)
            {
                var text = string.Join(' ', paragraph.Select(l => l.Trim()));
                // A greeting, or a list of links to earlier versions, is not what the series is about.
                var links = paragraph.Count(l => l.Contains("://", StringComparison.Ordinal));
                if (!(opening.Count == 0 && IsGreeting(text)) && !(paragraph.Count > 1 && links * 2 >= paragraph.Count))
                    opening.Add(text);
                if (opening.Count >= maxParagraphs)
                    inOpening = false;
            }
            paragraph.Clear();
        }

        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.Trim();
            if (IsEnd(line, trimmed))
                break;
            if (trimmed == "---")
            {
                EndParagraph();
                inOpening = false;
                items = null;
                inCommitTrailers = false;
                continue;
            }
            if (ChangelogHeading(trimmed))
            {
                EndParagraph();
                inOpening = false;
                // "Changelog:" alone opens a block whose items may be "v3:" sub-headings; it stays only if it gets items.
                changelog.Add((trimmed, items = []));
                blockHasMarkers = false;
                pendingBlank = false;
                continue;
            }
            if (items is not null)
            {
                if (trimmed.Length == 0)
                {
                    pendingBlank = true;
                    continue;
                }
                if (ListItem().Match(line) is { Success: true } item)
                {
                    items.Add(item.Groups[1].Value.Trim());
                    blockHasMarkers = true;
                    pendingBlank = false;
                    continue;
                }
                var indented = line.Length > 0 && char.IsWhiteSpace(line[0]);
                if (blockHasMarkers && items.Count > 0 && indented && !pendingBlank)
                {
                    items[^1] += " " + trimmed; // a wrapped item
                    continue;
                }
                if (!blockHasMarkers && !pendingBlank)
                {
                    items.Add(trimmed); // a block written as plain lines
                    continue;
                }
                if (blockHasMarkers && indented)
                {
                    items.Add(trimmed);
                    pendingBlank = false;
                    continue;
                }
                items = null; // unindented prose after a blank line ends the block
                pendingBlank = false;
            }
            if (!inOpening)
                continue;
            if (Trailer().IsMatch(line) || SignedOff().IsMatch(line))
            {
                inCommitTrailers = true;
                EndParagraph();
                continue;
            }
            if (inCommitTrailers)
                continue;
            if (trimmed.Length == 0)
            {
                EndParagraph();
                continue;
            }
            paragraph.Add(line);
        }
        EndParagraph();
        var blocks = changelog.Where(c => c.Items.Count > 0).Select(c => new VersionChange(c.Label, c.Items)).ToList();
        return new Parsed(opening, blocks);
    }

    private static bool IsGreeting(string text) =>
        text.Length <= 40 && text.EndsWith(',') && text.Split(' ').Length <= 4;

    /// <summary>Where the prose of a cover letter or patch ends: signature, shortlog, diffstat, diff, base-commit.</summary>
    private static bool IsEnd(string line, string trimmed) =>
        line == "-- " || line.StartsWith("diff --git ", StringComparison.Ordinal)
        || trimmed.StartsWith("base-commit:", StringComparison.OrdinalIgnoreCase)
        || trimmed.StartsWith("change-id:", StringComparison.OrdinalIgnoreCase)
        || Shortlog().IsMatch(line) || DiffstatFile().IsMatch(line) || DiffstatTotal().IsMatch(line);

    private static bool ChangelogHeading(string trimmed) =>
        trimmed.Length <= 80 && (ChangesIn().IsMatch(trimmed) || VersionArrow().IsMatch(trimmed) || ChangelogWord().IsMatch(trimmed) || BareVersion().IsMatch(trimmed));

    [GeneratedRegex(@"^(---.*\n\+\+\+|GIT binary patch|diff --git \w/\S+ \w/\S+)", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex DiffRe();

    [GeneratedRegex(@"^diff --git \w/\S+ \w/(\S+)", RegexOptions.Multiline)]
    private static partial Regex DiffGit();

    [GeneratedRegex(@"^change-id:\s+(\S+)", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex ChangeIdRe();

    [GeneratedRegex(@"^\s*(Reviewed-by|Acked-by|Tested-by):\s*(.*?)\s*<([^>\s]+@[^>\s]+)>", RegexOptions.IgnoreCase)]
    private static partial Regex Trailer();

    [GeneratedRegex(@"^\s*(Signed-off-by|Cc|Link|Fixes|Reported-by|Suggested-by|Co-developed-by):", RegexOptions.IgnoreCase)]
    private static partial Regex SignedOff();

    [GeneratedRegex(@"^\S.*\(\d+\):$")]
    private static partial Regex Shortlog();

    [GeneratedRegex(@"^ \S+\s+\|\s+(\d+|Bin)")]
    private static partial Regex DiffstatFile();

    [GeneratedRegex(@"^\s*\d+ files? changed")]
    private static partial Regex DiffstatTotal();

    [GeneratedRegex(@"^(changes|changelog|change log|chnages)\s+(in|since|from|for|to)\s+v?\d+\b.*$", RegexOptions.IgnoreCase)]
    private static partial Regex ChangesIn();

    [GeneratedRegex(@"^v\d+\s*(\([^)]*\))?\s*(->|-->|=>|→|to)\s*v\d+\b[^.]*$", RegexOptions.IgnoreCase)]
    private static partial Regex VersionArrow();

    [GeneratedRegex(@"^(changelog|changes|change log|version history):?$", RegexOptions.IgnoreCase)]
    private static partial Regex ChangelogWord();

    [GeneratedRegex(@"^v\d+\s*(\([^)]*\))?:$", RegexOptions.IgnoreCase)]
    private static partial Regex BareVersion();

    [GeneratedRegex(@"^\s*(?:[-*•+]|o|\d{1,2}[.)])\s+(\S.*)$")]
    private static partial Regex ListItem();
}
