using KernelDigest.Bot.Lore;
using KernelDigest.Core.Lore;
using KernelDigest.Core.Reports;
using Microsoft.Extensions.Options;

namespace KernelDigest.Bot.Follows;

/// <summary>A series resolved from lore for /follow, and every message id seen of it.</summary>
public sealed record ResolvedSeries(TrackedSeries Series, IReadOnlyList<string> MessageIds, AppliedSignal? Applied);

/// <summary>
/// The follows feature's own lore client, without the answer cache: the poller asks "what is new" and must never be
/// answered from a copy. Also resolves what /follow was given into one series.
/// </summary>
public sealed class FollowLore : IDisposable
{
    public FollowLore(IOptions<LoreOptions> options, IOptions<FollowOptions> follows, TimeProvider time, ILogger<LoreClient> logger)
    {
        var o = options.Value;
        Client = new LoreClient(new LoreOptions
        {
            BaseUrl = o.BaseUrl,
            UserAgent = o.UserAgent,
            MaxRequestsPerMinute = o.MaxRequestsPerMinute,
            Timeout = o.Timeout,
            MaxRetries = o.MaxRetries,
            CacheDirectory = null,
        }, time, logger);
        _inboxes = [.. follows.Value.SearchInboxes];
    }

    private readonly string[] _inboxes;

    public LoreClient Client { get; }

    /// <summary>
    /// The series a message belongs to: its thread (one request), then the same subject by the same author (one
    /// search) for the versions posted in other threads, as b4 finds newer revisions. Null when lore has no such
    /// message or it is not part of a patch series.
    /// </summary>
    public async Task<ResolvedSeries?> ResolveAsync(string? inbox, string messageId, CancellationToken ct)
    {
        IReadOnlyList<LoreMessage>? thread = null;
        foreach (var candidate in inbox is null ? _inboxes : [inbox])
        {
            try
            {
                thread = await Client.ThreadAsync(candidate, messageId, ct);
                inbox = candidate;
                break;
            }
            catch (LoreException ex) when (ex.Message.Contains("404", StringComparison.Ordinal))
            {
                // not in this inbox: try the next
            }
        }
        if (thread is null || inbox is null)
            return null;
        var all = SeriesBuilder.Build(thread, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        var first = all.FirstOrDefault(s => s.Versions.Any(v => v.MessageId == messageId)) ?? all.OrderByDescending(s => s.Latest.Date).FirstOrDefault();
        if (first is null)
            return null;
        var phrase = first.Title.Replace("\"", " ", StringComparison.Ordinal).Trim();
        var more = await Client.SearchAsync(inbox, $"s:\"{phrase}\" f:{first.Author.Email}", DateTimeOffset.MaxValue, null, ct);
        var messages = thread.Concat(more).ToList();
        var rebuilt = SeriesBuilder.Build(messages, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        var series = rebuilt.FirstOrDefault(s => s.Key == first.Key)
            ?? rebuilt.FirstOrDefault(s => s.Versions.Any(v => first.Versions.Any(f => f.MessageId == v.MessageId)))
            ?? first;
        var latest = series.Latest;
        var latestRoot = messages.First(m => m.MessageId == latest.MessageId);
        var subjectKey = "subj:" + PatchSubject.Parse(latestRoot.Subject).Normalized + "|" + series.Author.Email;
        var activity = messages.Max(m => m.Date);
        return new ResolvedSeries(new TrackedSeries
        {
            Inbox = inbox,
            SeriesKey = series.Key,
            SubjectKey = subjectKey,
            Title = series.Title,
            AuthorName = series.Author.Name,
            AuthorEmail = series.Author.Email,
            LatestRevision = series.Versions.Where(v => !v.IsResend).Select(v => v.Revision).DefaultIfEmpty(latest.Revision).Max(),
            LatestLabel = latest.Label,
            LatestMessageId = latest.MessageId,
            LatestUrl = latest.Url,
            LatestAt = Storage.Database.Stamp(latest.Date),
            Patches = latest.Patches,
            AppliedDetail = series.Applied?.Detail,
            AppliedUrl = series.Applied?.Url,
            AppliedAt = series.Applied is null ? null : Storage.Database.Stamp(activity),
            LastActivity = Storage.Database.Stamp(activity),
        }, [.. messages.Select(m => m.MessageId).Distinct(StringComparer.Ordinal)], series.Applied);
    }

    public void Dispose() => Client.Dispose();
}
