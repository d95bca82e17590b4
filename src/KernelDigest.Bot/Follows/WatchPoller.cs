using System.Globalization;
using KernelDigest.Bot.Lore;
using KernelDigest.Bot.Subscriptions;
using KernelDigest.Core.Lore;
using Microsoft.Extensions.Options;

namespace KernelDigest.Bot.Follows;

/// <summary>
/// Asks lore, once per watched (inbox, query) however many chats watch it, what the query matched since the last
/// position less <see cref="FollowOptions.Overlap"/> (<c>QUERY d:YYYYMMDD..</c>, as <c>lei up</c> re-reads). New
/// series are the root messages among the matches: a cover letter, or a patch that stands alone; replies and the
/// later patches of a series are not. A failed query keeps its position and is read again next time.
/// </summary>
public sealed partial class WatchPoller(
    WatchStore store,
    FollowLore lore,
    DeliverySignal signal,
    IOptions<FollowOptions> options,
    TimeProvider time,
    ILogger<WatchPoller> logger)
{
    public async Task<PollCounts> PollAsync(CancellationToken ct) =>
        await PollCounts.EachAsync(await store.ActiveQueriesAsync(ct), query => PollQueryAsync(query, ct),
            (query, problem) => LogQueryFailed(query.Inbox, query.Query, problem), signal);

    private async Task<(int Read, int Notices)> PollQueryAsync(WatchedQuery query, CancellationToken ct)
    {
        var cursor = await store.CursorAsync(query, ct) ?? time.GetUtcNow();
        var since = (cursor - options.Value.Overlap).UtcDateTime;
        var found = await lore.Client.SearchAsync(query.Inbox, Since(query.Query, since), DateTimeOffset.MaxValue, null, ct);
        var owed = await store.ApplyPollAsync(query, Roots(found), [.. found.Select(m => m.MessageId)], FollowPoller.Advance(cursor, found, time),
            options.Value.Overlap * 3, ct);
        return (found.Count, owed);
    }

    /// <summary>
    /// The query limited to messages dated from <paramref name="since"/>'s day on: always bracketed, since Xapian binds
    /// OR and NOT looser than the implied AND, and a date added after "a OR b" or "a NOT b" would bind to b alone.
    /// (/watch refuses unbalanced quotes and brackets, which could otherwise swallow the date.)
    /// </summary>
    public static string Since(string query, DateTime since) =>
        "(" + query + ") d:" + since.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "..";

    /// <summary>The matches that start a series (oldest first), each once.</summary>
    public static IReadOnlyList<WatchMatch> Roots(IReadOnlyList<LoreMessage> found)
    {
        var roots = new List<WatchMatch>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in found.OrderBy(m => m.Date))
        {
            var subject = PatchSubject.Parse(m.Subject);
            if (subject is not { IsPatch: true, IsReply: false } || !(subject.IsCover || subject.Counter <= 1) || m.InReplyTo is not null || !ids.Add(m.MessageId))
                continue;
            var label = (subject.IsRfc ? "RFC " : "") + "v" + subject.Revision + (subject.IsResend ? " RESEND" : "");
            var patches = subject.IsCover ? subject.Expected : subject.CounterInferred ? 1 : subject.Expected;
            roots.Add(new WatchMatch(m.MessageId, new NoticeSeries(subject.Title, m.AuthorName, label, patches, m.Url)));
        }
        return roots;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watch poll of lore query {Query} in {Inbox} failed, read again next time: {Problem}")]
    private partial void LogQueryFailed(string inbox, string query, string problem);
}
