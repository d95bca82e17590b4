using System.Globalization;
using KernelDigest.Core.Lore;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Subsystems;

namespace KernelDigest.Bot.Lore;

/// <summary>What a draft run found, for its summary line.</summary>
public sealed record DraftStats(int Messages, int SeriesFound, int Threads);

/// <summary>
/// Drafts a month from lore. Per subsystem: search each of its inboxes for the month (Atom pages: a request per 200
/// messages), build and rank the series, then fetch the threads of the likeliest ones (twice the entries wanted) for
/// their exact text, later replies and applied notices, and rank again. The lore requests therefore grow with the
/// result pages and the number of entries wanted, never with the number of messages otherwise.
/// </summary>
public sealed class LoreDrafter(LoreClient client, TextWriter progress)
{
    public async Task<(IReadOnlyList<SubsystemDraft> Sections, DraftStats Stats)> DraftAsync(
        ReportMonth month, IReadOnlyList<Subsystem> subsystems, int top, TimeSpan settleTime, CancellationToken ct)
    {
        var from = new DateTimeOffset(month.Year, month.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var to = from.AddMonths(1);
        var range = $"d:{from.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}..{to.AddDays(-1).ToString("yyyyMMdd", CultureInfo.InvariantCulture)}";
        var sections = new List<SubsystemDraft>();
        int messages = 0, found = 0, threads = 0;
        foreach (var subsystem in subsystems)
        {
            var mail = new List<LoreMessage>();
            foreach (var source in subsystem.Lore)
            {
                var query = source.Query is null ? range : $"{source.Query} {range}";
                var hits = await client.SearchAsync(source.Inbox, query, to + settleTime,
                    (page, count) => progress.WriteLine($"lore: {source.Inbox} \"{query}\": page {page}, {count} messages ({client.Requests} requests so far)"), ct);
                mail.AddRange(hits);
                messages += hits.Count;
            }
            var first = SeriesRanking.Rank(SeriesBuilder.Build(mail, from, to));
            // The likeliest series get their whole threads: exact text, replies the search missed, later "Applied".
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var version in first.Take(top * 2).SelectMany(s => s.Versions))
            {
                if (!seen.Add(version.MessageId))
                    continue;
                mail.AddRange(await client.ThreadAsync(version.Inbox, version.MessageId, ct));
                threads++;
            }
            var ranked = SeriesRanking.Rank(SeriesBuilder.Build(mail, from, to));
            found += ranked.Count;
            sections.Add(new SubsystemDraft(subsystem, [.. ranked.Take(top)], ranked.Count));
            progress.WriteLine($"{subsystem.Key}: {ranked.Count} series found, top {Math.Min(top, ranked.Count)} kept");
        }
        return (sections, new DraftStats(messages, found, threads));
    }
}
