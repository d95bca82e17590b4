namespace KernelDigest.Core.Commands;

/// <summary>Everything the bot itself says, in one language. Report text is never translated.</summary>
public sealed record BotTexts
{
    public required string HelpTitle { get; init; }
    public required string HelpFooter { get; init; }
    public required string AboutTitle { get; init; }
    public required Func<int, int, string, string, string> AboutBody { get; init; }
    public required string PatchUsage { get; init; }
    public required Func<string, string> ResultsTitle { get; init; }
    public required Func<string, string> NoResults { get; init; }
    public required Func<int, string> TooLong { get; init; }
    public required Func<string, string> UnknownCommand { get; init; }
    public required Func<string, string> UnknownSubsystem { get; init; }
    public required string KnownSubsystems { get; init; }
    public required Func<string, string> BadMonth { get; init; }
    public required Func<string, string> MonthNotLoaded { get; init; }
    public required Func<string, string> LoadedMonths { get; init; }
    public required string NoReports { get; init; }
    public required string SubsystemsTitle { get; init; }
    public required Func<int, int, string, string> SubsystemCounts { get; init; }
    public required Func<string, string> QuietSubsystems { get; init; }
    public required Func<string, string, string> SubsystemTitle { get; init; }
    public required Func<string, string, string> SubsystemNotInMonth { get; init; }
    public required Func<int, int, int, string> PageLine { get; init; }
    public required Func<string, string> MoreHint { get; init; }
    public required Func<int?, string, string> IssueLine { get; init; }
    public required string Entries { get; init; }
    public required string Error { get; init; }
    /// <summary>A command that changes what a chat receives, asked where there is no chat to receive it (the console).</summary>
    public required Func<string, string> ChatCommandElsewhere { get; init; }
    public required string SearchExpired { get; init; }
    public required string ButtonExpired { get; init; }

    /// <summary>Said once per window to a chat that sends more than the flood limits allow; the argument is seconds.</summary>
    public required Func<int, string> SlowDown { get; init; }

    public static BotTexts For(Lang lang) => lang == Lang.En ? En : Zh;

    // "1 report", "2 reports": English counts agree with their noun.
    private static string Count(int n, string one, string? many = null) =>
        n.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + (n == 1 ? one : many ?? one + "s");

    public static BotTexts Zh { get; } = new()
    {
        HelpTitle = "KernelDigest:Linux 内核月报机器人",
        HelpFooter = "直接发送文字也会进行搜索。",
        AboutTitle = "关于 KernelDigest",
        AboutBody = (reports, entries, first, last) =>
            $"KernelDigest 把每月的 Linux 内核月报带进聊天:搜索补丁、查看子系统摘要和每月摘要。已载入 {reports} 期月报({first} 至 {last}),共 {entries} 个条目。",
        PatchUsage = "用法:/patch <关键词>,例如 /patch TDP MMU、/patch 总线锁、/patch fchmodat2 month:2020-09",
        ResultsTitle = q => $"搜索:{q}",
        NoResults = q => $"没有找到与「{q}」相关的补丁。换个关键词试试,或用 /subsystem 浏览。",
        TooLong = max => $"查询太长了:最多 {max} 个字符。",
        UnknownCommand = c => $"未知命令 {c}。可用命令如下:",
        UnknownSubsystem = s => $"没有名为「{s}」的子系统。",
        KnownSubsystems = "可用的子系统:",
        BadMonth = m => $"「{m}」不是有效的月份,请使用 YYYY-MM 格式,例如 2020-09。",
        MonthNotLoaded = m => $"没有 {m} 的月报。",
        LoadedMonths = list => $"已载入的月份:{list}",
        NoReports = "还没有载入任何月报。",
        SubsystemsTitle = "子系统",
        SubsystemCounts = (total, inMonth, month) => $"共 {total} 个条目,{month} {inMonth} 个",
        QuietSubsystems = list => $"暂无条目:{list}",
        SubsystemTitle = (name, month) => $"{name} · {month}",
        SubsystemNotInMonth = (name, month) => $"{month} 的月报中没有「{name}」相关条目。",
        PageLine = (page, count, total) => $"第 {page}/{count} 页,共 {total} 条",
        MoreHint = cmd => $"更多结果:{cmd}",
        IssueLine = (issue, contributors) =>
            (issue is { } n ? $"总第 {n} 期" : "") + (contributors.Length > 0 ? $"{(issue is null ? "" : " · ")}贡献者:{contributors}" : ""),
        Entries = "条目",
        Error = "出错了,请稍后再试。",
        ChatCommandElsewhere = name => $"/{name} 改变的是一个聊天会收到的消息,请在 Telegram 或 Discord 的聊天中使用。",
        SearchExpired = "这次搜索已过期,请重新发送 /patch 搜索。",
        ButtonExpired = "这个按钮已过期,请重新发送命令。",
        SlowDown = seconds => $"消息发得太快了,请稍候 {seconds} 秒再试。在此之前的命令不会得到回复。",
    };

    public static BotTexts En { get; } = new()
    {
        HelpTitle = "KernelDigest: the Linux kernel monthly report bot",
        HelpFooter = "Plain text without a command is a search too.",
        AboutTitle = "About KernelDigest",
        AboutBody = (reports, entries, first, last) =>
            $"KernelDigest brings the monthly Linux kernel report into your chat: patch search, subsystem summaries and monthly digests. {Count(reports, "report")} loaded ({first} to {last}), {Count(entries, "entry", "entries")}.",
        PatchUsage = "Usage: /patch <keywords>, e.g. /patch TDP MMU, /patch bus lock, /patch fchmodat2 month:2020-09",
        ResultsTitle = q => $"Search: {q}",
        NoResults = q => $"No patches found for \"{q}\". Try other keywords, or browse with /subsystem.",
        TooLong = max => $"That query is too long: the limit is {max} characters.",
        UnknownCommand = c => $"Unknown command {c}. These are the commands:",
        UnknownSubsystem = s => $"There is no subsystem called \"{s}\".",
        KnownSubsystems = "Known subsystems:",
        BadMonth = m => $"\"{m}\" is not a month: use YYYY-MM, e.g. 2020-09.",
        MonthNotLoaded = m => $"There is no report for {m}.",
        LoadedMonths = list => $"Months loaded: {list}",
        NoReports = "No reports are loaded yet.",
        SubsystemsTitle = "Subsystems",
        SubsystemCounts = (total, inMonth, month) => $"{Count(total, "entry", "entries")} in all, {inMonth} in {month}",
        QuietSubsystems = list => $"No entries yet: {list}",
        SubsystemTitle = (name, month) => $"{name} · {month}",
        SubsystemNotInMonth = (name, month) => $"The {month} report has no {name} entries.",
        PageLine = (page, count, total) => $"Page {page}/{count}, {total} results",
        MoreHint = cmd => $"More: {cmd}",
        IssueLine = (issue, contributors) =>
            (issue is { } n ? $"Issue {n}" : "") + (contributors.Length > 0 ? $"{(issue is null ? "" : " · ")}Contributors: {contributors}" : ""),
        Entries = "entries",
        Error = "Something went wrong; please try again later.",
        ChatCommandElsewhere = name => $"/{name} changes what a chat receives: use it in a Telegram or Discord chat.",
        SearchExpired = "This search has expired: send /patch again to search.",
        ButtonExpired = "This button has expired: send the command again.",
        SlowDown = seconds => $"Please slow down: too many commands at once. Try again in {seconds} seconds; until then commands are not answered.",
    };
}
