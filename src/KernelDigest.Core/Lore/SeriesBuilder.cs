using System.Text.RegularExpressions;

namespace KernelDigest.Core.Lore;

/// <summary>
/// Builds patch series from public-inbox messages as b4 does: a cover letter <c>[PATCH vN 0/M]</c> with the patches
/// that answer it, or a lone patch (with patches 2..n answering patch 1); revision from the subject tag (v1 when
/// absent); one series across versions by its <c>change-id:</c>, else by normalised subject and author address.
/// Replies are attached to the posting whose thread they are in (In-Reply-To, then References); messages in no
/// posting's thread (talk, replies to older months' patches) are left out.
/// </summary>
public static partial class SeriesBuilder
{
    /// <param name="messages">Messages in any order, duplicates allowed (the exact MIME copy wins over an Atom one).</param>
    /// <param name="from">Start of the month (inclusive): only versions posted in [from, to) count.</param>
    /// <param name="to">End of the month (exclusive).</param>
    public static IReadOnlyList<PatchSeries> Build(IEnumerable<LoreMessage> messages, DateTimeOffset from, DateTimeOffset to)
    {
        var byId = new Dictionary<string, LoreMessage>(StringComparer.Ordinal);
        foreach (var m in messages)
        {
            if (m.MessageId.Length == 0)
                continue;
            if (!byId.TryGetValue(m.MessageId, out var seen) || (!seen.ExactBody && m.ExactBody))
                byId[m.MessageId] = m;
        }
        var subjects = byId.Values.ToDictionary(m => m.MessageId, m => PatchSubject.Parse(m.Subject), StringComparer.Ordinal);

        // Postings: every non-reply patch message, grouped under its root (cover letter, else patch 1).
        var patches = byId.Values.Where(m => subjects[m.MessageId] is { IsPatch: true, IsReply: false }).OrderBy(m => m.Date).ToList();
        var rootOf = new Dictionary<string, LoreMessage>(StringComparer.Ordinal);
        LoreMessage Root(LoreMessage m, int depth = 0)
        {
            if (rootOf.TryGetValue(m.MessageId, out var known))
                return known;
            var s = subjects[m.MessageId];
            LoreMessage root = m;
            if (!s.IsCover && depth < 8 && m.InReplyTo is { } parentId && byId.TryGetValue(parentId, out var parent)
                && subjects[parentId] is { IsPatch: true, IsReply: false } ps
                && ps.Revision == s.Revision && (ps.IsCover || ps.Counter <= 1) && !ReferenceEquals(parent, m))
                root = Root(parent, depth + 1);
            rootOf[m.MessageId] = root;
            return root;
        }
        var postings = new Dictionary<string, List<LoreMessage>>(StringComparer.Ordinal);
        // Patch k of n whose cover letter is not among the messages (a search by file name finds the patch, not its
        // cover): the patches answering the same missing parent stand in for their posting until its thread is read.
        var orphanRoots = new Dictionary<string, LoreMessage>(StringComparer.Ordinal);
        foreach (var m in patches.OrderBy(p => subjects[p.MessageId].Counter))
        {
            var s = subjects[m.MessageId];
            if (ReferenceEquals(Root(m), m) && !s.IsCover && s.Counter > 1 && m.InReplyTo is { } missing)
                rootOf[m.MessageId] = orphanRoots.TryGetValue(missing, out var first) ? first : orphanRoots[missing] = m;
        }
        foreach (var m in patches)
        {
            var root = Root(m);
            var rs = subjects[root.MessageId];
            if (ReferenceEquals(root, m) && !rs.IsCover && rs.Counter > 1 && !orphanRoots.ContainsValue(m))
                continue; // patch k of n with nothing to hang on: b4 cannot place it either
            if (!postings.TryGetValue(root.MessageId, out var list))
                postings[root.MessageId] = list = [];
            list.Add(m);
        }

        var postingOf = new Dictionary<string, string>(StringComparer.Ordinal); // any patch id → posting root id
        foreach (var (rootId, list) in postings)
        {
            foreach (var m in list)
                postingOf[m.MessageId] = rootId;
        }

        // Followups: everything else that sits in a posting's thread.
        var followups = postings.Keys.ToDictionary(k => k, _ => new List<LoreMessage>(), StringComparer.Ordinal);
        foreach (var m in byId.Values)
        {
            if (postingOf.ContainsKey(m.MessageId))
                continue;
            if (PostingOf(m, byId, postingOf) is { } rootId)
                followups[rootId].Add(m);
        }

        // Series: by change-id, then by subject and author (a change-id series also claims its subject key).
        var inMonth = postings.Keys.Where(k => byId[k].Date >= from && byId[k].Date < to).OrderBy(k => byId[k].Date).ToList();
        var seriesOfKey = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var subjectKeyToSeries = new Dictionary<string, string>(StringComparer.Ordinal);
        var changeIds = inMonth.ToDictionary(k => k, k => MessageBody.ChangeId(byId[k].Body) ?? postings[k].Select(p => MessageBody.ChangeId(p.Body)).FirstOrDefault(c => c is not null), StringComparer.Ordinal);
        foreach (var rootId in inMonth.OrderBy(k => changeIds[k] is null ? 1 : 0))
        {
            var subjectKey = "subj:" + subjects[rootId].Normalized + "|" + byId[rootId].AuthorEmail.ToLowerInvariant();
            string key;
            if (changeIds[rootId] is { } cid)
            {
                key = "cid:" + cid;
                subjectKeyToSeries.TryAdd(subjectKey, key);
            }
            else
                key = subjectKeyToSeries.TryGetValue(subjectKey, out var claimed) ? claimed : subjectKey;
            if (!seriesOfKey.TryGetValue(key, out var list))
                seriesOfKey[key] = list = [];
            list.Add(rootId);
        }

        var result = new List<PatchSeries>();
        foreach (var (key, roots) in seriesOfKey)
            result.Add(Series(key, roots, byId, subjects, postings, followups, changeIds));
        return result;
    }

    /// <summary>
    /// The posting whose thread a message is in: its own References first (MIME copies name every ancestor), then up
    /// the chain of parents known here (an Atom entry names only its parent).
    /// </summary>
    private static string? PostingOf(LoreMessage m, Dictionary<string, LoreMessage> byId, Dictionary<string, string> postingOf)
    {
        var ancestors = m.InReplyTo is { } p ? m.References.Reverse().Prepend(p) : m.References.Reverse();
        foreach (var a in ancestors)
        {
            if (postingOf.TryGetValue(a, out var rootId))
                return rootId;
        }
        var current = m;
        for (var depth = 0; depth < 64 && current.InReplyTo is { } parentId && byId.TryGetValue(parentId, out var parent); depth++)
        {
            if (postingOf.TryGetValue(parentId, out var rootId))
                return rootId;
            current = parent;
        }
        return null;
    }

    private static PatchSeries Series(
        string key,
        List<string> roots,
        Dictionary<string, LoreMessage> byId,
        Dictionary<string, PatchSubject> subjects,
        Dictionary<string, List<LoreMessage>> postings,
        Dictionary<string, List<LoreMessage>> followups,
        Dictionary<string, string?> changeIds)
    {
        var versions = roots.Select(r =>
        {
            var root = byId[r];
            var s = subjects[r];
            return new SeriesVersion
            {
                Revision = s.Revision,
                IsRfc = s.IsRfc,
                IsResend = s.IsResend,
                Date = root.Date,
                Url = root.Url,
                MessageId = r,
                Inbox = root.Inbox,
                Patches = s.IsCover ? s.Expected : postings[r].Count,
                HasCover = s.IsCover,
            };
        }).OrderBy(v => v.Date).ToList();

        // "Latest" is the newest posting, not the highest number (b4).
        var latestRoot = byId[versions[^1].MessageId];
        var author = Person.Of(latestRoot);
        var latestSubject = subjects[latestRoot.MessageId];

        // Opening and changelog from the newest cover letter (or lone patch); older ones add blocks it lacks.
        var opening = new List<string>();
        var changelog = new List<Reports.VersionChange>();
        foreach (var v in versions.AsEnumerable().Reverse())
        {
            var parsed = MessageBody.Parse(byId[v.MessageId].Body);
            if (opening.Count == 0)
                opening.AddRange(parsed.Opening);
            foreach (var block in parsed.Changelog)
            {
                if (!changelog.Any(c => string.Equals(c.Label, block.Label, StringComparison.OrdinalIgnoreCase)))
                    changelog.Add(block);
            }
        }

        var files = roots.SelectMany(r => postings[r]).OrderBy(m => subjects[m.MessageId].Counter)
            .SelectMany(m => MessageBody.FilesTouched(m.Body)).Distinct(StringComparer.Ordinal).ToList();

        var tags = new List<ReviewTag>();
        var replies = 0;
        var repliers = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        AppliedSignal? applied = null;
        foreach (var r in roots)
        {
            foreach (var p in postings[r])
                tags.AddRange(MessageBody.ReviewTags(p.Body).Where(t => t.Person.Email != author.Email));
            foreach (var f in followups[r].OrderBy(m => m.Date))
            {
                var fromEmail = f.AuthorEmail.ToLowerInvariant();
                var bot = IsBot(f);
                applied ??= AppliedBy(f, author);
                if (bot)
                    continue;
                replies++;
                if (fromEmail != author.Email)
                {
                    repliers.Add(fromEmail);
                    tags.AddRange(MessageBody.ReviewTags(f.Body).Where(t => t.Person.Email != author.Email));
                }
            }
        }
        // One tag per person and kind: the same Reviewed-by collected again in v2 is not a second review.
        tags = [.. tags.DistinctBy(t => (t.Kind, t.Person.Email))];

        return new PatchSeries
        {
            Key = key,
            Title = latestSubject.Title,
            Keywords = latestSubject.Keywords,
            Author = author,
            ChangeId = changeIds[latestRoot.MessageId],
            Versions = versions,
            CoverOpening = opening,
            Changelog = changelog,
            Files = files,
            ReviewTags = tags,
            Replies = replies,
            Repliers = repliers.Count,
            Applied = applied,
        };
    }

    private static bool IsBot(LoreMessage m) =>
        m.AuthorEmail.StartsWith("patchwork-bot", StringComparison.OrdinalIgnoreCase)
        || m.AuthorEmail.StartsWith("pr-tracker-bot", StringComparison.OrdinalIgnoreCase)
        || m.AuthorEmail.StartsWith("tip-bot", StringComparison.OrdinalIgnoreCase)
        || m.AuthorEmail.StartsWith("lkp@", StringComparison.OrdinalIgnoreCase)
        || m.MessageId.Contains("git-patchwork-notify", StringComparison.Ordinal);

    /// <summary>
    /// The applied signals of the reference: a patchwork-bot "This series was applied to …", a <c>b4 ty</c> message
    /// ("Applied, thanks!" / "Applied to …"), or a maintainer's own unquoted "Applied"/"Queued" reply. Quoted lines
    /// never count (a later reply quoting "Queued, thanks." is not a second signal), nor does the author's own mail.
    /// </summary>
    public static AppliedSignal? AppliedBy(LoreMessage m, Person author)
    {
        if (m.AuthorEmail.Equals(author.Email, StringComparison.OrdinalIgnoreCase))
            return null;
        var lines = MessageBody.UnquotedLines(m.Body).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (m.AuthorEmail.StartsWith("patchwork-bot", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var line in lines)
            {
                if (PatchworkApplied().Match(line) is { Success: true } pw)
                    return new AppliedSignal("patchwork-bot", pw.Groups[1].Value.Trim(), m.Url);
            }
            return null;
        }
        var b4ty = m.MessageId.Contains("b4-ty", StringComparison.Ordinal);
        foreach (var line in lines.Take(b4ty ? 40 : 6))
        {
            if (ManualApplied().IsMatch(line))
                return new AppliedSignal(b4ty ? "b4 ty" : "reply", $"{m.AuthorName}: {Shorten(line)}", m.Url);
        }
        return null;
    }

    private static string Shorten(string line) => line.Length <= 80 ? line : line[..77] + "...";

    [GeneratedRegex(@"^This (?:series|patch|pull request) was applied to (.+?):?$", RegexOptions.IgnoreCase)]
    private static partial Regex PatchworkApplied();

    [GeneratedRegex(@"^(?:applied|queued|merged|pushed|picked up)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ManualApplied();
}
