using System.Globalization;
using KernelDigest.Bot.Lore;
using KernelDigest.Bot.Subscriptions;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;
using Microsoft.Extensions.Options;

namespace KernelDigest.Bot.Follows;

/// <summary>
/// /watch, /unwatch and /watches, the same on every platform, under the administrator rule of /subscribe. A query is
/// tried on lore before it is saved: one lore refuses, or one that matched more than
/// <see cref="FollowOptions.MaxWatchMatchesPerDay"/> messages a day over the last week, is refused with the reason.
/// </summary>
public sealed class WatchCommands(WatchStore store, FollowLore lore, TimeProvider time, IOptions<FollowOptions> options, IOptions<LoreOptions> loreOptions)
{
    /// <summary>How far back /watch judges how busy a query is.</summary>
    public static readonly TimeSpan Sample = TimeSpan.FromDays(7);

    public async Task<Reply> WatchAsync(Inbound input, CancellationToken ct)
    {
        var t = FollowTexts.For(input.Lang);
        if (!await SubscriptionCommands.MayChangeAsync(input, ct))
            return NotAdmin(input, t);
        var text = input.Command?.Arguments.Trim() ?? "";
        if (Parse(text, options.Value.SearchInboxes[0], loreOptions.Value.BaseUri.Host) is not { } query)
            return Answer(input, t.WatchUsage) with { IsError = true };
        if (!Balanced(query.Query))
            return Answer(input, t.WatchUnbalanced, t.WatchUsage) with { IsError = true };
        var o = options.Value;
        var mine = await store.ListAsync(input.Chat, ct);
        if (!mine.Any(w => w.Inbox == query.Inbox && w.Query == query.Query) && mine.Count >= o.MaxWatchesPerChat)
            return Answer(input, t.WatchLimit(o.MaxWatchesPerChat)) with { IsError = true };

        // One look at the last week: lore says whether it understands the query, and how busy it is. What it shows is
        // the baseline: only series posted after it are reported.
        // The window covers at least what the first poll re-reads (Follows:Overlap), so nothing of it is news.
        var sample = o.Overlap > Sample ? o.Overlap : Sample;
        IReadOnlyList<Core.Lore.LoreMessage> week;
        var cap = (int)(o.MaxWatchMatchesPerDay * sample.TotalDays);
        try
        {
            week = await lore.Client.SearchAsync(query.Inbox, WatchPoller.Since(query.Query, (time.GetUtcNow() - sample).UtcDateTime), DateTimeOffset.MaxValue, null, ct,
                limit: cap + 1);
        }
        catch (LoreException ex) when (ex.Problem.StartsWith("400", StringComparison.Ordinal))
        {
            return Answer(input, t.WatchRefused(TextUtil.Truncate(ex.Problem, 200))) with { IsError = true };
        }
        catch (LoreException ex)
        {
            return Answer(input, t.LoreFailed(ex.Problem)) with { IsError = true };
        }
        var perDay = week.Count / sample.TotalDays;
        if (week.Count > cap)
            return Answer(input, t.WatchTooBroad(o.MaxWatchMatchesPerDay)) with { IsError = true }; // the count stopped at the cap
        var added = await store.AddAsync(input.Chat, input.Lang.Code(), query, input.UserId, o.MaxWatchesPerChat, [.. week.Select(m => m.MessageId)], ct);
        if (added is null)
            return Answer(input, t.WatchLimit(o.MaxWatchesPerChat)) with { IsError = true };
        var interval = loreOptions.Value.PollInterval;
        var every = interval.TotalMinutes >= 1 ? $"{interval.TotalMinutes:0} min" : $"{interval.TotalSeconds:0} s";
        return Answer(input, t.Watching(query.Query, query.Inbox),
            added.Value.Created ? [t.WatchRate(perDay), t.WatchEvery(every)] : [t.AlreadyWatching]);
    }

    public async Task<Reply> WatchesAsync(Inbound input, CancellationToken ct)
    {
        var t = FollowTexts.For(input.Lang);
        var watches = await store.ListAsync(input.Chat, ct);
        if (watches.Count == 0)
            return Answer(input, t.NoWatches);
        return Answer(input, t.WatchesTitle) with
        {
            Items = [.. watches.Select(w => new ReplyItem
            {
                Title = w.Query,
                Meta = t.WatchLine(w.Inbox, w.CreatedAt.Length >= 10 ? w.CreatedAt[..10] : w.CreatedAt) + (w.Status == FollowStatus.Paused ? " · " + t.Paused : ""),
            })],
        };
    }

    public async Task<Reply> UnwatchAsync(Inbound input, CancellationToken ct)
    {
        var t = FollowTexts.For(input.Lang);
        if (!await SubscriptionCommands.MayChangeAsync(input, ct))
            return NotAdmin(input, t);
        var text = input.Command?.Arguments.Trim() ?? "";
        if (text.Length == 0)
            return Answer(input, t.UnwatchUsage) with { IsError = true };
        var watches = await store.ListAsync(input.Chat, ct);
        var chosen = int.TryParse(text.TrimStart('#'), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= watches.Count
            ? watches[n - 1]
            : watches.FirstOrDefault(w => w.Query == text);
        if (chosen is null || !await store.RemoveAsync(chosen.Id, ct))
            return Answer(input, t.NoSuchWatch(TextUtil.Visible(TextUtil.Truncate(text, 120)))) with { IsError = true };
        return Answer(input, t.Unwatched(chosen.Query));
    }

    /// <summary>
    /// A lore search link (<c>https://lore.kernel.org/kvm/?q=…</c> on <paramref name="loreHost"/>: its inbox and
    /// query), or a query for <paramref name="inbox"/>. Null when empty, too long, holding control characters, or a
    /// link elsewhere.
    /// </summary>
    public static WatchedQuery? Parse(string text, string inbox, string loreHost)
    {
        text = text.Trim();
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            var segments = uri.AbsolutePath.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
            var q = uri.Query.TrimStart('?').Split('&', ';').Select(p => p.Split('=', 2)).FirstOrDefault(p => p.Length == 2 && p[0] == "q")?[1];
            if (q is null || segments.Length != 1 || !Core.Lore.LoreLink.IsInbox(segments[0])
                || !(uri.Host.Equals(loreHost, StringComparison.OrdinalIgnoreCase) || uri.Host.Equals("lore.kernel.org", StringComparison.OrdinalIgnoreCase)))
                return null;
            inbox = segments[0];
            text = Uri.UnescapeDataString(q.Replace('+', ' ')).Trim();
        }
        text = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return text.Length is 0 or > 300 || text.Any(char.IsControl) ? null : new WatchedQuery(inbox, text);
    }

    /// <summary>Quotes closed and brackets balanced: otherwise the date the poller adds would fall inside them.</summary>
    public static bool Balanced(string query)
    {
        var depth = 0;
        var quoted = false;
        foreach (var c in query)
        {
            if (c == '"')
                quoted = !quoted;
            else if (!quoted && c == '(')
                depth++;
            else if (!quoted && c == ')' && --depth < 0)
                return false;
        }
        return !quoted && depth == 0;
    }

    private static Reply NotAdmin(Inbound input, FollowTexts t) => SubscriptionCommands.NotAdmin(input, "watch", t.NotAdminWatch);

    private static Reply Answer(Inbound input, string title, params string[] body) => Reply.To(input, "watch", title, body);
}
