using System.Globalization;
using KernelDigest.Bot.Lore;
using KernelDigest.Bot.Subscriptions;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;
using Microsoft.Extensions.Options;

namespace KernelDigest.Bot.Follows;

/// <summary>
/// /follow, /unfollow and /following, the same on every platform. A follow belongs to the chat, or the forum topic,
/// the command was sent in; changing it follows the administrator rule of /subscribe (<see cref="SubscriptionCommands.MayChangeAsync"/>).
/// </summary>
public sealed class FollowCommands(FollowStore store, FollowLore lore, TimeProvider time, IOptions<FollowOptions> options)
{
    public async Task<Reply> FollowAsync(Inbound input, CancellationToken ct)
    {
        var t = FollowTexts.For(input.Lang);
        if (!await SubscriptionCommands.MayChangeAsync(input, ct))
            return NotAdmin(input, t);
        var text = input.Command?.Arguments.Trim() ?? "";
        if (text.Length == 0)
            return Answer(input, t.Usage) with { IsError = true };
        if (FollowLore.Parse(text) is not { } target)
            return Answer(input, t.WordsNotSupported, t.Usage) with { IsError = true };
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
        else if (FollowLore.Parse(text) is { } target)
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

    private static Reply NotAdmin(Inbound input, FollowTexts t) =>
        Answer(input, t.NotAdmin, input.Chat.Platform == Platform.Discord ? t.WhoCanDiscord : t.WhoCanTelegram) with { IsError = true };

    private static Reply Answer(Inbound input, string title, params string[] body) =>
        new() { Command = input.Command?.Name ?? "follow", Query = input.Text, Lang = input.Lang, Title = title, Body = body };
}
