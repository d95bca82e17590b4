using KernelDigest.Bot.Subscriptions;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Lore;
using KernelDigest.Core.Reports;

namespace KernelDigest.Bot.Follows;

/// <summary>
/// Tells a chat when a published month has an entry for a series it follows, with the entry as /patch shows it. An
/// entry is for a series when one of its lore links is a message of the series, or its title is the series' title.
/// Each month is looked at once (the months there were when follows first ran are taken as looked at), when it
/// appears or at start-up if it appeared while the bot was down; owing is idempotent, so every instance may do it.
/// </summary>
internal sealed partial class FollowReportListener(
    ReportLibrary library,
    ReportCommands commands,
    FollowStore store,
    DeliverySignal signal,
    ILogger<FollowReportListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reloads = System.Threading.Channels.Channel.CreateBounded<LibrarySnapshot>(
            new System.Threading.Channels.BoundedChannelOptions(1) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropOldest });
        library.Reloaded += snapshot => reloads.Writer.TryWrite(snapshot);
        await CheckAsync(library.Current, baseline: true, stoppingToken);
        await foreach (var snapshot in reloads.Reader.ReadAllAsync(stoppingToken))
            await CheckAsync(snapshot, baseline: false, stoppingToken);
    }

    private async Task CheckAsync(LibrarySnapshot snapshot, bool baseline, CancellationToken ct)
    {
        try
        {
            if (baseline && await store.BaselineReportsAsync(snapshot.Reports.Select(r => r.Month.ToString()), ct))
                return;
            var done = await store.ReportsCheckedAsync(ct);
            var owed = 0;
            foreach (var report in snapshot.Reports.Where(r => !done.Contains(r.Month.ToString())).OrderBy(r => r.Month))
                owed += await CheckMonthAsync(report, ct);
            if (owed > 0)
                signal.Wake();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(ex); // the store was unreachable: the month stays unchecked and is looked at on the next reload or start
        }
    }

    private async Task<int> CheckMonthAsync(Report report, CancellationToken ct)
    {
        var entries = report.Sections.SelectMany(s => s.Entries.Select(e => (Section: s, Entry: e))).ToList();
        var ids = entries.SelectMany(x => LoreLink.In(x.Entry.Links)).Select(x => x.Lore.MessageId).ToHashSet(StringComparer.Ordinal);
        var (byMessage, titles) = await store.FollowedForReportAsync(ids, ct);
        var byTitle = titles.GroupBy(t => t.Title.Trim(), StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Select(t => t.Id).ToList(), StringComparer.OrdinalIgnoreCase);
        var found = new List<(long SeriesId, FollowNotice Notice)>();
        var taken = new HashSet<long>();
        foreach (var (section, entry) in entries)
        {
            var series = LoreLink.In(entry.Links).Select(x => byMessage.TryGetValue(x.Lore.MessageId, out var s) ? s : (long?)null).OfType<long>()
                .Concat(byTitle.TryGetValue(entry.Title.Trim(), out var same) ? same : [])
                .Distinct();
            foreach (var id in series.Where(taken.Add))
            {
                var item = commands.Item(report, section, entry);
                found.Add((id, new FollowNotice
                {
                    Kind = NoticeKind.Report,
                    Title = titles.FirstOrDefault(t => t.Id == id).Title ?? entry.Title,
                    Author = string.Join(", ", entry.Authors),
                    Label = report.Month.ToString(),
                    Url = item.Url ?? (item.Links.Count > 0 ? item.Links[0].Url : ""),
                    Month = report.Month.ToString(),
                    Entry = new NoticeEntry(item.Title, item.Meta, item.Summary, item.Links, item.Url),
                }));
            }
        }
        var owed = await store.OweReportAsync(report.Month.ToString(), found, ct);
        if (found.Count > 0)
            LogFound(report.Month.ToString(), found.Count, owed);
        return owed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Report {Month} has entries for {Series} followed series: {Notices} notices owed")]
    private partial void LogFound(string month, int series, int notices);

    [LoggerMessage(Level = LogLevel.Error, Message = "Looking for followed series in the reports failed")]
    private partial void LogFailed(Exception ex);
}
