using System.Globalization;
using KernelDigest.Core.Diagnostics;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Search;
using KernelDigest.Core.Subsystems;

namespace KernelDigest.Core.Commands;

/// <summary>
/// The report commands: /patch, /subsystem, /month, /latest, /help, /about. Pure and synchronous (the reports are in
/// memory); the <see cref="Dispatcher"/> decides which one a message asks for. Platforms only render the
/// <see cref="Reply"/> and transport it. With <see cref="ReportPresentation.Links"/> every entry carries its archive
/// page's address (<see cref="ReplyItem.Url"/>).
/// </summary>
public sealed class ReportCommands(ReportLibrary library, ReportPresentation? presentation = null)
{
    private readonly ReportPresentation _presentation = presentation ?? ReportPresentation.Default;

    /// <summary>Results per page of a search.</summary>
    public const int PageSize = 5;

    private SubsystemCatalog Subsystems => library.Subsystems;

    /// <summary>A message longer than any command reads: refused with the limit named.</summary>
    public static Reply TooLong(Inbound input)
    {
        var texts = BotTexts.For(input.Lang);
        return Error(input, "error", texts.TooLong(PatchQuery.MaxLength), texts);
    }

    /// <summary>A page of an earlier search, from its page button.</summary>
    public Reply SearchPage(Inbound input, SearchRequest search, int page) =>
        Patch(input, new ParsedCommand("patch", search.Arguments, page));

    public Reply Patch(Inbound input, ParsedCommand command) => Patch(input, command, BotTexts.For(input.Lang));

    public Reply Subsystem(Inbound input, ParsedCommand command) => Subsystem(input, command, BotTexts.For(input.Lang));

    public Reply Month(Inbound input, ParsedCommand command) => Month(input, command.Arguments, BotTexts.For(input.Lang), "month");

    public Reply Latest(Inbound input) => Month(input, "", BotTexts.For(input.Lang), "latest");

    public static Reply Help(Inbound input) => Help(input, BotTexts.For(input.Lang));

    public Reply About(Inbound input) => About(input, BotTexts.For(input.Lang));

    public static Reply Unknown(Inbound input, string name) => Unknown(input, name, BotTexts.For(input.Lang));

    /// <summary>A command that needs a chat the bot keeps state for, asked where there is none (the console).</summary>
    public static Reply NeedsChat(Inbound input, string name)
    {
        var texts = BotTexts.For(input.Lang);
        return Error(input, name, texts.ChatCommandElsewhere(name), texts);
    }

    /// <summary>The apology when answering failed: the user always hears back.</summary>
    public static Reply Apology(Lang lang) =>
        new() { Command = "error", Query = "", Lang = lang, IsError = true, Title = BotTexts.For(lang).Error };

    private static Reply Unknown(Inbound input, string name, BotTexts texts)
    {
        var help = Help(input, texts);
        return help with
        {
            Command = "unknown",
            IsError = true,
            Body = [texts.UnknownCommand("/" + TextUtil.Visible(TextUtil.Truncate(name, 64))), .. help.Body],
        };
    }

    private Reply Patch(Inbound input, ParsedCommand command, BotTexts texts)
    {
        var args = command.Arguments;
        if (args.Length == 0)
            return Error(input, "patch", texts.PatchUsage, texts);
        if (args.Length > PatchQuery.MaxLength)
            return Error(input, "patch", texts.TooLong(PatchQuery.MaxLength), texts);
        var snapshot = library.Current;
        var parsed = PatchQuery.Parse(args, Subsystems);
        switch (parsed.Error)
        {
            case PatchQueryError.UnknownSubsystem u:
                return UnknownSubsystem(input, "patch", u.Name, texts);
            case PatchQueryError.BadMonth b:
                return BadMonth(input, "patch", b.Text, snapshot, texts);
        }
        var query = parsed.Query!;
        if (query.Month is { } month && snapshot.Find(month) is null)
            return MonthNotLoaded(input, "patch", month.ToString(), snapshot, texts);

        var page = command.Page;
        var results = snapshot.Index.Search(query, (page - 1) * PageSize, PageSize);
        if (results.Hits.Count == 0 && results.Total > 0)
        {
            // A page past the end (an old "page:N" after the reports changed, or a typed one): show the last page rather
            // than claiming nothing matched.
            page = (results.Total + PageSize - 1) / PageSize;
            results = snapshot.Index.Search(query, (page - 1) * PageSize, PageSize);
        }
        var shownQuery = TextUtil.Visible(args);
        Telemetry.Searches.Add(1, Telemetry.Tag("result", results.Total == 0 ? "miss" : "hit"));
        if (results.Total == 0 || results.Hits.Count == 0)
        {
            return new Reply
            {
                Command = "patch", Query = input.Text, Lang = input.Lang, Title = texts.ResultsTitle(shownQuery),
                Body = [texts.NoResults(shownQuery)],
            };
        }
        var pages = (results.Total + PageSize - 1) / PageSize;
        return new Reply
        {
            Command = "patch",
            Query = input.Text,
            Lang = input.Lang,
            Title = texts.ResultsTitle(shownQuery),
            Items = [.. results.Hits.Select(h => EntryItem(h.Report, h.Section, h.Entry, h.Score, h.Snippet, _presentation.Links))],
            // The search is shown to the user ("More: /patch … page:2"), so it carries the visible form of the words.
            Page = new ReplyPage(Math.Min(page, pages), pages, results.Total,
                new SearchRequest(TextUtil.Visible(query.Text), query.Subsystem?.Key, query.Month?.ToString())),
        };
    }

    private Reply Subsystem(Inbound input, ParsedCommand command, BotTexts texts)
    {
        var snapshot = library.Current;
        if (snapshot.Latest is null)
            return Error(input, "subsystem", texts.NoReports, texts);
        var words = command.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        ReportMonth? month = null;
        var monthWord = words.FirstOrDefault(LooksLikeMonth);
        if (monthWord is not null)
        {
            words.Remove(monthWord);
            if (!ReportMonth.TryParse(monthWord, out var m))
                return BadMonth(input, "subsystem", monthWord, snapshot, texts);
            if (snapshot.Find(m) is null)
                return MonthNotLoaded(input, "subsystem", m.ToString(), snapshot, texts);
            month = m;
        }
        var name = string.Join(' ', words);
        if (name.Length == 0)
            return SubsystemList(input, snapshot, month, texts);
        if (name.Length > PatchQuery.MaxLength)
            return Error(input, "subsystem", texts.TooLong(PatchQuery.MaxLength), texts);
        var subsystem = Subsystems.Resolve(name);
        if (subsystem is null)
            return UnknownSubsystem(input, "subsystem", name, texts);

        // Without a month: the latest report that has this subsystem, so "/subsystem mm" is never empty for nothing.
        var report = month is { } chosen
            ? snapshot.Find(chosen)!
            : snapshot.Reports.FirstOrDefault(r => r.Sections.Any(s => s.Subsystem == subsystem.Key && s.Entries.Count > 0)) ?? snapshot.Latest;
        var sections = report.Sections.Where(s => s.Subsystem == subsystem.Key).ToList();
        var title = texts.SubsystemTitle(subsystem.Name(input.Lang), report.Month.ToString());
        if (sections.Count == 0)
        {
            return new Reply
            {
                Command = "subsystem", Query = input.Text, Lang = input.Lang, Title = title,
                Body = [texts.SubsystemNotInMonth(subsystem.Name(input.Lang), report.Month.ToString())],
            };
        }
        var items = sections.SelectMany(s => s.Entries.Select(e => EntryItem(report, s, e, null, null, _presentation.Links))).ToList();
        return new Reply
        {
            Command = "subsystem",
            Query = input.Text,
            Lang = input.Lang,
            Title = title,
            Body = [.. sections.SelectMany(s => s.Intro)],
            Items = items,
        };
    }

    private Reply SubsystemList(Inbound input, LibrarySnapshot snapshot, ReportMonth? month, BotTexts texts)
    {
        var latest = month is { } m ? snapshot.Find(m)! : snapshot.Latest!;
        var counts = snapshot.Reports.SelectMany(r => r.Sections).GroupBy(s => s.Subsystem)
            .ToDictionary(g => g.Key, g => g.Sum(s => s.Entries.Count));
        var inLatest = latest.Sections.GroupBy(s => s.Subsystem).ToDictionary(g => g.Key, g => g.Sum(s => s.Entries.Count));
        var all = Subsystems.All
            .Select(s => (Subsystem: s, Total: counts.GetValueOrDefault(s.Key), InMonth: inLatest.GetValueOrDefault(s.Key)))
            .OrderByDescending(x => x.Total).ThenBy(x => x.Subsystem.Key, StringComparer.Ordinal)
            .ToList();
        var items = all.Where(x => x.Total > 0)
            .Select(x => new ReplyItem
            {
                Title = $"{x.Subsystem.Name(input.Lang)} ({x.Subsystem.Key})",
                Meta = texts.SubsystemCounts(x.Total, x.InMonth, latest.Month.ToString()),
            })
            .ToList();
        // Areas no report has covered yet go on one line, so the list stays about what there is to read.
        var quiet = all.Where(x => x.Total == 0).Select(x => x.Subsystem.Key).ToList();
        return new Reply
        {
            Command = "subsystem", Query = input.Text, Lang = input.Lang, Title = $"{texts.SubsystemsTitle} · {latest.Month}", Items = items,
            Body = quiet.Count > 0 ? [texts.QuietSubsystems(string.Join(", ", quiet))] : [],
        };
    }

    private Reply Month(Inbound input, string args, BotTexts texts, string commandName)
    {
        var snapshot = library.Current;
        if (snapshot.Latest is null)
            return Error(input, commandName, texts.NoReports, texts);
        var word = args.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        Report report;
        if (word is null)
            report = snapshot.Latest;
        else if (!ReportMonth.TryParse(word, out var month))
            return BadMonth(input, commandName, word, snapshot, texts);
        else if (snapshot.Find(month) is { } found)
            report = found;
        else
            return MonthNotLoaded(input, commandName, month.ToString(), snapshot, texts);
        // An asked-for month is always shown in full; Digest:Style is about what arrives unasked.
        return Digest(report, input.Lang, input.Text, commandName, subsystemFilter: null, _presentation with { DigestStyle = DigestStyle.Full });
    }

    /// <summary>A month's digest as this deployment sends it (links and <see cref="DigestStyle"/> from its presentation).</summary>
    public Reply ScheduledDigest(Report report, Lang lang, string query, string command, IReadOnlySet<string>? subsystemFilter) =>
        Digest(report, lang, query, command, subsystemFilter, _presentation);

    /// <summary>
    /// A month's digest: the report's title and credits, then each section with its entries, one line each.
    /// With a filter, only sections of those subsystems (the subscription layer uses this). The short style keeps
    /// titles and links only: each entry's page when the archive's address is known, else its first link.
    /// </summary>
    public static Reply Digest(Report report, Lang lang, string query, string command = "month", IReadOnlySet<string>? subsystemFilter = null,
        ReportPresentation? presentation = null)
    {
        var shown = presentation ?? ReportPresentation.Default;
        var isShort = shown.DigestStyle == DigestStyle.Short;
        var texts = BotTexts.For(lang);
        var items = new List<ReplyItem>();
        var groups = new List<ReplyGroup>();
        foreach (var section in report.Sections)
        {
            if (subsystemFilter is not null && !subsystemFilter.Contains(section.Subsystem))
                continue;
            var first = items.Count;
            items.AddRange(section.Entries.Select(e => EntryItem(report, section, e, null, null, shown.Links, withMonth: false)));
            if (isShort)
            {
                for (var i = first; i < items.Count; i++)
                    items[i] = items[i] with { Meta = null, Summary = null, Links = items[i].Url is null ? [.. items[i].Links.Take(1)] : [] };
            }
            groups.Add(new ReplyGroup(section.Heading, isShort ? [] : section.Intro, first, section.Entries.Count));
        }
        var credits = texts.IssueLine(report.Issue, string.Join("、", report.Contributors));
        return new Reply
        {
            Command = command,
            Query = query,
            Lang = lang,
            Title = report.Title,
            Body = credits.Length > 0 ? [credits] : [],
            Items = items,
            Groups = groups,
        };
    }

    private static Reply Help(Inbound input, BotTexts texts) => new()
    {
        Command = "help",
        Query = input.Text,
        Lang = input.Lang,
        Title = texts.HelpTitle,
        Body = [.. CommandTable.All.Select(c => HelpLine(c, input.Lang)), texts.HelpFooter],
    };

    /// <summary>"/patch &lt;keywords&gt; — search patches …": one command's line in /help.</summary>
    public static string HelpLine(CommandSpec command, Lang lang) =>
        $"/{command.Name}{(command.UsageIn(lang) is { Length: > 0 } usage ? " " + usage : "")} — {command.HelpIn(lang)}";

    private Reply About(Inbound input, BotTexts texts)
    {
        var snapshot = library.Current;
        var months = snapshot.Months.ToList();
        return new Reply
        {
            Command = "about",
            Query = input.Text,
            Lang = input.Lang,
            Title = texts.AboutTitle,
            Body =
            [
                texts.AboutBody(months.Count, snapshot.Index.Count, months.Count > 0 ? months[^1].ToString() : "-", months.Count > 0 ? months[0].ToString() : "-"),
                .. snapshot.Latest?.Source is { } source ? new[] { source } : [],
            ],
        };
    }

    /// <summary>An entry as a /patch result shows it (for notices that point at one).</summary>
    public ReplyItem Item(Report report, ReportSection section, ReportEntry entry) => EntryItem(report, section, entry, null, null, _presentation.Links);

    private static ReplyItem EntryItem(Report report, ReportSection section, ReportEntry entry, float? score, Snippet? snippet, ArchiveLinks? links, bool withMonth = true)
    {
        var meta = new List<string>();
        if (entry.Authors.Count > 0)
            meta.Add(string.Join(", ", entry.Authors));
        if (withMonth)
        {
            meta.Add(report.Month.ToString());
            meta.Add(section.Heading);
        }
        return new ReplyItem
        {
            Title = entry.Title,
            Meta = meta.Count > 0 ? string.Join(" · ", meta) : null,
            Summary = entry.OneLine,
            Snippet = snippet is { IsEmpty: false } ? snippet : null,
            Links = entry.Links,
            Url = links?.Entry(report, entry),
            Entry = new EntryRef(report.Month.ToString(), section.Subsystem, entry.Title, entry.Authors, score),
        };
    }

    private Reply UnknownSubsystem(Inbound input, string command, string name, BotTexts texts) => new()
    {
        Command = command,
        Query = input.Text,
        Lang = input.Lang,
        IsError = true,
        Title = texts.UnknownSubsystem(TextUtil.Visible(TextUtil.Truncate(name, 64))),
        Body = [texts.KnownSubsystems],
        Items = [.. Subsystems.All.Select(s => new ReplyItem { Title = $"{s.Key} · {s.Name(input.Lang)}", Meta = string.Join(", ", s.Aliases.Take(6)) })],
    };

    private static Reply BadMonth(Inbound input, string command, string text, LibrarySnapshot snapshot, BotTexts texts) =>
        Error(input, command, texts.BadMonth(TextUtil.Visible(TextUtil.Truncate(text, 32))), texts, LoadedMonths(snapshot, texts));

    private static Reply MonthNotLoaded(Inbound input, string command, string month, LibrarySnapshot snapshot, BotTexts texts) =>
        Error(input, command, texts.MonthNotLoaded(month), texts, LoadedMonths(snapshot, texts));

    private static string LoadedMonths(LibrarySnapshot snapshot, BotTexts texts) =>
        snapshot.Reports.Count == 0 ? texts.NoReports : texts.LoadedMonths(string.Join(", ", snapshot.Months.Select(m => m.ToString())));

    private static Reply Error(Inbound input, string command, string message, BotTexts texts, string? detail = null) => new()
    {
        Command = command,
        Query = input.Text,
        Lang = input.Lang,
        IsError = true,
        Title = message,
        Body = detail is null ? [] : [detail],
    };

    private static bool LooksLikeMonth(string word) =>
        word.Length >= 6 && char.IsAsciiDigit(word[0]) && word.Count(char.IsAsciiDigit) >= 5
        && int.TryParse(word.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out _);
}
