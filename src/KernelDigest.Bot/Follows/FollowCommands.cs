using System.Globalization;
using KernelDigest.Bot.Lore;
using KernelDigest.Bot.Subscriptions;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Lore;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Search;
using Microsoft.Extensions.Options;

namespace KernelDigest.Bot.Follows;

/// <summary>
/// /follow, /unfollow and /following, the same on every platform. A follow belongs to the chat, or the forum topic,
/// the command was sent in; changing it follows the administrator rule of /subscribe (<see cref="SubscriptionCommands.MayChangeAsync"/>).
/// </summary>
public sealed class FollowCommands(FollowStore store, FollowLore lore, ReportLibrary library, TimeProvider time, IOptions<FollowOptions> options)
{
    /// <summary>How many candidates /follow with words offers at most.</summary>
    public const int MaxCandidates = 5;

    public async Task<Reply> FollowAsync(Inbound input, CancellationToken ct)
    {
        var t = FollowTexts.For(input.Lang);
        if (!await SubscriptionCommands.MayChangeAsync(input, ct))
            return NotAdmin(input, t);
        var text = input.Command?.Arguments.Trim() ?? "";
        if (text.Length == 0)
            return Answer(input, t.Usage) with { IsError = true };
        if (LoreLink.Parse(text) is { } target)
            return await FollowAsync(input, t, target, ct);

        // Words: the reports' entries with a lore link, then lore's recent series by subject; one fit is followed at
        // once, several are offered as buttons.
        var (candidates, loreProblem) = await CandidatesAsync(text, ct);
        if (candidates.Count == 0)
            return Answer(input, loreProblem is null ? t.NothingFor(TextUtil.Visible(TextUtil.Truncate(text, 120))) : t.LoreFailed(loreProblem)) with { IsError = true };
        if (candidates.Count == 1)
            return await FollowAsync(input, t, candidates[0].Link, ct);
        return Answer(input, t.Candidates(TextUtil.Visible(TextUtil.Truncate(text, 120))), t.PickOne) with
        {
            Items = [.. candidates.Select(c => new ReplyItem { Title = c.Title, Meta = c.Meta, Links = [new ReportLink(c.Url, "lore")] })],
            Actions = [.. candidates.Select((c, i) => new ReplyAction((i + 1).ToString(CultureInfo.InvariantCulture), "/follow " + c.Link.Compact))],
        };
    }

    private sealed record Candidate(LoreLink Link, string Title, string Meta, string Url);

    /// <summary>Up to <see cref="MaxCandidates"/> series the words fit, each once; and lore's problem, when it could not be asked.</summary>
    private async Task<(List<Candidate> Found, string? LoreProblem)> CandidatesAsync(string words, CancellationToken ct)
    {
        var found = new List<Candidate>();
        // A series once: by title, and by message (a report's title may differ from the subject on lore).
        var titles = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var messages = new HashSet<string>(StringComparer.Ordinal);
        if (PatchQuery.Parse(words, library.Subsystems).Query is { } query)
        {
            foreach (var hit in library.Current.Index.Search(query, 0, MaxCandidates * 2).Hits)
            {
                var (lore, link) = LoreLink.In(hit.Entry.Links).FirstOrDefault();
                if (link is not null && found.Count < MaxCandidates && titles.Add(hit.Entry.Title) && messages.Add(link.MessageId))
                {
                    var meta = string.Join(" · ", hit.Entry.Authors.Count > 0 ? [string.Join(", ", hit.Entry.Authors), hit.Report.Month.ToString()] : new[] { hit.Report.Month.ToString() });
                    found.Add(new Candidate(link, hit.Entry.Title, meta, lore.Url));
                }
            }
        }
        var terms = words.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(w => new string([.. w.Where(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' or '.' or '/')]))
            .Where(w => w.Length > 0).Take(6).ToList();
        if (found.Count < MaxCandidates && terms.Count > 0)
        {
            try
            {
                // Recent series only: a search over all of lore's history would be many pages for common words.
                var inbox = options.Value.SearchInboxes[0];
                var since = (time.GetUtcNow() - TimeSpan.FromDays(180)).UtcDateTime;
                var recent = await lore.Client.SearchAsync(inbox, WatchPoller.Since(string.Join(' ', terms.Select(w => "s:" + w)), since),
                    DateTimeOffset.MaxValue, null, ct, limit: LoreClient.PageSize);
                foreach (var root in WatchPoller.Roots(recent).Reverse())
                {
                    if (found.Count >= MaxCandidates)
                        break;
                    if (titles.Add(root.Series.Title) && messages.Add(root.MessageId))
                        found.Add(new Candidate(new LoreLink(inbox, root.MessageId), root.Series.Title, $"{root.Series.Author} · {root.Series.Label}", root.Series.Url));
                }
            }
            catch (LoreException ex)
            {
                // lore unreachable: the reports' candidates stand alone; with none, the user is told lore failed
                return (found, ex.Problem);
            }
        }
        return (found, null);
    }

    private async Task<Reply> FollowAsync(Inbound input, FollowTexts t, LoreLink target, CancellationToken ct)
    {
        ResolvedSeries? resolved;
        try
        {
            resolved = await lore.ResolveAsync(target.Inbox, target.MessageId, ct);
        }
        catch (LoreException ex)
        {
            return Answer(input, t.LoreFailed(ex.Message)) with { IsError = true };
        }
        if (resolved is null)
            return Answer(input, t.NotFound(TextUtil.Visible(TextUtil.Truncate(target.MessageId, 120)))) with { IsError = true };
        var s = resolved.Series;
        // The inbox is polled from now on (its first follow starts its position here); what lore shows now is the
        // baseline, so only what comes after it is notified.
        await store.StartCursorAsync(s.Inbox, time.GetUtcNow(), ct);
        var seriesId = await store.UpsertSeriesAsync(s, resolved.MessageIds, ct);
        var followed = await store.FollowAsync(input.Chat, input.Lang.Code(), seriesId, input.UserId, options.Value.MaxPerChat, ct);
        if (followed is null)
            return Answer(input, t.Limit(options.Value.MaxPerChat)) with { IsError = true };
        var current = await store.GetSeriesAsync(seriesId, ct) ?? s;
        var body = new List<string> { $"{current.AuthorName} · {current.Inbox}", t.Latest(current.LatestLabel, Day(current.LatestAt)) };
        if (current.AppliedAt is not null)
            body.Add(t.AlreadyApplied(current.AppliedDetail ?? "—"));
        body.Add(followed.Value.Created ? t.WillReport : t.AlreadyFollowing);
        return Answer(input, t.Following(current.Title), [.. body]) with
        {
            Links = [new ReportLink(current.LatestUrl, current.LatestLabel)],
        };
    }

    public async Task<Reply> FollowingAsync(Inbound input, CancellationToken ct)
    {
        var t = FollowTexts.For(input.Lang);
        var follows = await store.ListAsync(input.Chat, ct);
        if (follows.Count == 0)
            return Answer(input, t.NoFollows);
        return Answer(input, t.ListTitle) with
        {
            Items = [.. follows.Select(f => new ReplyItem
            {
                Title = f.Title,
                Meta = t.ListLine(f.LatestLabel, f.AppliedAt is null ? t.NotApplied : t.Applied, Day(f.LastActivity))
                    + (f.Status == FollowStatus.Paused ? " · paused" : ""),
                Links = [new ReportLink(f.LatestUrl, f.LatestLabel)],
            })],
        };
    }

    public async Task<Reply> UnfollowAsync(Inbound input, CancellationToken ct)
    {
        var t = FollowTexts.For(input.Lang);
        if (!await SubscriptionCommands.MayChangeAsync(input, ct))
            return NotAdmin(input, t);
        var text = input.Command?.Arguments.Trim() ?? "";
        if (text.Length == 0)
            return Answer(input, t.UnfollowUsage) with { IsError = true };
        var follows = await store.ListAsync(input.Chat, ct);
        FollowRow? chosen = null;
        if (int.TryParse(text.TrimStart('#'), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            chosen = n >= 1 && n <= follows.Count ? follows[n - 1] : null;
        else if (LoreLink.Parse(text) is { } target)
        {
            // Any version's link names the series: match what is stored of it.
            var ids = await store.SeriesOfMessagesAsync(target.Inbox ?? "", [target.MessageId], ct);
            chosen = follows.FirstOrDefault(f => f.LatestMessageId == target.MessageId || (ids.TryGetValue(target.MessageId, out var sid) && sid == f.SeriesId))
                ?? follows.FirstOrDefault(f => target.Inbox is null && f.LatestMessageId == target.MessageId);
        }
        if (chosen is null || !await store.RemoveAsync(chosen.Id, ct))
            return Answer(input, t.NoSuchFollow(TextUtil.Visible(TextUtil.Truncate(text, 120)))) with { IsError = true };
        return Answer(input, t.Unfollowed(chosen.Title));
    }

    /// <summary>"2024-06-11" from a stored time.</summary>
    private static string Day(string stamp) => stamp.Length >= 10 ? stamp[..10] : stamp;

    private static Reply NotAdmin(Inbound input, FollowTexts t) => SubscriptionCommands.NotAdmin(input, "follow", t.NotAdmin);

    private static Reply Answer(Inbound input, string title, params string[] body) => Reply.To(input, "follow", title, body);
}
