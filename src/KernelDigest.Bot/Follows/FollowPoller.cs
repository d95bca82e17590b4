using System.Globalization;
using KernelDigest.Bot.Lore;
using KernelDigest.Bot.Subscriptions;
using KernelDigest.Core.Lore;
using KernelDigest.Core.Reports;
using Microsoft.Extensions.Options;

namespace KernelDigest.Bot.Follows;

/// <summary>What one poll did: lore requests sent, inboxes (or queries) read, those that failed, notices owed.</summary>
public sealed record PollCounts(int Inboxes, int Failed, int Messages, int Notices, int Requests)
{
    /// <summary>
    /// Polls each of <paramref name="targets"/> in turn: one that lore fails for is counted and reported, and keeps its
    /// position for the next poll; the sender is woken when anything is owed. Counts this flow's lore requests only
    /// (a /follow or /watch asking lore meanwhile shares the client).
    /// </summary>
    public static async Task<PollCounts> EachAsync<T>(IReadOnlyList<T> targets, Func<T, Task<(int Read, int Notices)>> poll,
        Action<T, string> failed, DeliverySignal signal)
    {
        var tally = LoreClient.BeginTally();
        int broken = 0, messages = 0, notices = 0;
        foreach (var target in targets)
        {
            try
            {
                var (read, owed) = await poll(target);
                messages += read;
                notices += owed;
            }
            catch (LoreException ex)
            {
                broken++;
                failed(target, ex.Message);
            }
        }
        if (notices > 0)
            signal.Wake();
        return new PollCounts(targets.Count, broken, messages, notices, tally.Count);
    }
}

/// <summary>
/// Asks lore what is new in every inbox some chat follows a series in: one date-range search per inbox
/// (<c>d:YYYYMMDD..</c>, from the last position less <see cref="FollowOptions.Overlap"/>, as <c>lei up</c> re-reads),
/// however many chats and series there are. New postings are matched to followed series by change-id or by subject
/// and author (b4's rule); replies by the message they answer. A RESEND is not a new version. What was found and the
/// new position are stored together (<see cref="FollowStore.ApplyPollAsync"/>); a failed inbox keeps its position and
/// is read again next time, so lore being down delays notices and loses none.
/// </summary>
public sealed partial class FollowPoller(
    FollowStore store,
    FollowLore lore,
    DeliverySignal signal,
    IOptions<FollowOptions> options,
    TimeProvider time,
    ILogger<FollowPoller> logger)
{
    public async Task<PollCounts> PollAsync(CancellationToken ct) =>
        await PollCounts.EachAsync(await store.ActiveInboxesAsync(ct), inbox => PollInboxAsync(inbox, ct), LogInboxFailed, signal);

    private async Task<(int Read, int Notices)> PollInboxAsync(string inbox, CancellationToken ct)
    {
        var cursor = await store.CursorAsync(inbox, ct) ?? time.GetUtcNow();
        var since = (cursor - options.Value.Overlap).UtcDateTime;
        var messages = await lore.Client.SearchAsync(inbox, "d:" + since.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "..", DateTimeOffset.MaxValue, null, ct);
        var series = await store.FollowedSeriesAsync(inbox, ct);
        var findings = Match(series, messages, await store.SeriesOfMessagesAsync(inbox, Parents(messages), ct));
        return (messages.Count, await store.ApplyPollAsync(inbox, findings, Advance(cursor, messages, time), ct));
    }

    /// <summary>
    /// The position after reading <paramref name="messages"/>: the newest date among them, but never past now, since a
    /// Date: header is the sender's word, and one mail dated next year must not skip everything until then.
    /// </summary>
    public static DateTimeOffset Advance(DateTimeOffset cursor, IReadOnlyList<LoreMessage> messages, TimeProvider time)
    {
        var newest = messages.Count == 0 ? cursor : messages.Max(m => m.Date);
        var now = time.GetUtcNow();
        return newest > now ? (cursor > now ? cursor : now) : newest > cursor ? newest : cursor;
    }

    private static HashSet<string> Parents(IReadOnlyList<LoreMessage> messages)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in messages)
        {
            if (m.InReplyTo is { } p)
                ids.Add(p);
            foreach (var r in m.References)
                ids.Add(r);
        }
        return ids;
    }

    /// <summary>
    /// The pure part of a poll: which messages are new versions of, replies to, or "applied" for the followed series.
    /// <paramref name="known"/> maps message ids already stored to their series.
    /// </summary>
    public static PollFindings Match(IReadOnlyList<TrackedSeries> followed, IReadOnlyList<LoreMessage> messages, Dictionary<string, long> known)
    {
        var findings = new PollFindings();
        if (followed.Count == 0)
            return findings;
        var byKey = new Dictionary<string, TrackedSeries>(StringComparer.Ordinal);
        foreach (var s in followed)
        {
            byKey.TryAdd(s.SeriesKey, s);
            byKey.TryAdd(s.SubjectKey, s);
        }
        var byId = followed.ToDictionary(s => s.Id);
        var latest = followed.ToDictionary(s => s.Id, s => s.LatestRevision);
        var applied = followed.Where(s => s.AppliedAt is not null).Select(s => s.Id).ToHashSet();
        var seriesOf = new Dictionary<string, long>(known, StringComparer.Ordinal);

        // Oldest first, so a cover letter is placed before its patches and the replies to them.
        foreach (var m in messages.OrderBy(m => m.Date).ThenBy(m => m.InReplyTo is null ? 0 : 1))
        {
            if (seriesOf.ContainsKey(m.MessageId) && !known.ContainsKey(m.MessageId))
                continue; // a duplicate within this page
            var subject = PatchSubject.Parse(m.Subject);
            var parentSeries = m.InReplyTo is { } parent && seriesOf.TryGetValue(parent, out var ps) ? ps
                : m.References.Select(r => seriesOf.TryGetValue(r, out var rs) ? rs : (long?)null).LastOrDefault(x => x is not null);
            if (subject is { IsPatch: true, IsReply: false } && (subject.IsCover || subject.Counter <= 1) && parentSeries is null)
            {
                var email = m.AuthorEmail.ToLowerInvariant();
                var cid = MessageBody.ChangeId(m.Body);
                var match = (cid is not null && byKey.TryGetValue("cid:" + cid, out var byCid) ? byCid : null)
                    ?? (byKey.TryGetValue("subj:" + subject.Normalized + "|" + email, out var bySubject) ? bySubject : null);
                if (match is null)
                    continue;
                seriesOf[m.MessageId] = match.Id;
                findings.Messages.Add((match.Id, m.MessageId));
                Touch(findings, match.Id, m.Date);
                if (subject.IsResend || subject.Revision <= latest[match.Id])
                    continue;
                latest[match.Id] = subject.Revision;
                var label = (subject.IsRfc ? "RFC " : "") + "v" + subject.Revision;
                var patches = subject.IsCover ? subject.Expected : (subject.CounterInferred ? 1 : subject.Expected);
                findings.Versions.Add(new VersionEvent(match.Id, subject.Revision, label, m.MessageId, m.Url, m.Date, patches, new FollowNotice
                {
                    Kind = NoticeKind.Version,
                    Title = subject.Title,
                    Author = m.AuthorName,
                    Label = label,
                    Patches = patches,
                    Changes = ChangesFor(m.Body, label),
                    Url = m.Url,
                }));
                continue;
            }
            if (parentSeries is not { } seriesId)
                continue;
            seriesOf[m.MessageId] = seriesId;
            findings.Messages.Add((seriesId, m.MessageId));
            Touch(findings, seriesId, m.Date);
            var s = byId[seriesId];
            if (applied.Contains(seriesId) || SeriesBuilder.AppliedBy(m, new Person(s.AuthorName, s.AuthorEmail)) is not { } signal)
                continue;
            applied.Add(seriesId);
            findings.Applied.Add(new AppliedEvent(seriesId, signal.Detail, signal.Url, m.Date, new FollowNotice
            {
                Kind = NoticeKind.Applied,
                Title = s.Title,
                Author = s.AuthorName,
                Label = s.LatestLabel,
                Url = signal.Url,
                AppliedDetail = signal.Detail,
            }));
        }
        return findings;
    }

    private static void Touch(PollFindings findings, long seriesId, DateTimeOffset at)
    {
        if (!findings.Activity.TryGetValue(seriesId, out var seen) || at > seen)
            findings.Activity[seriesId] = at;
    }

    /// <summary>The changelog block the cover letter gives for this version ("v2 -> v3", "Changes in v3"), else its first.</summary>
    private static IReadOnlyList<string> ChangesFor(string body, string label)
    {
        var changelog = MessageBody.Parse(body).Changelog;
        var version = label.Split(' ')[^1];
        var block = changelog.FirstOrDefault(c => c.Versions is { } v && string.Equals(v.To, version, StringComparison.OrdinalIgnoreCase))
            ?? changelog.FirstOrDefault(c => c.Label.Contains(version, StringComparison.OrdinalIgnoreCase))
            ?? (changelog.Count > 0 ? changelog[0] : null);
        return block?.Items ?? [];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Follow poll of lore inbox {Inbox} failed, read again next time: {Problem}")]
    private partial void LogInboxFailed(string inbox, string problem);
}
