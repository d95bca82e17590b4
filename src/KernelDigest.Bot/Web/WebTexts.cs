using KernelDigest.Core;

namespace KernelDigest.Bot.Web;

/// <summary>What the archive's pages say around the reports, in one language. Report text is never translated.</summary>
internal sealed record WebTexts
{
    public required string SiteName { get; init; }
    public required string Home { get; init; }
    public required string Months { get; init; }
    public required string Latest { get; init; }
    public required string Subsystems { get; init; }
    public required string Search { get; init; }
    public required string SearchButton { get; init; }
    public required string SearchHint { get; init; }
    public required string Feed { get; init; }
    public required string OtherLanguage { get; init; }
    public required string Authors { get; init; }
    public required string Changelog { get; init; }
    public required string Links { get; init; }
    public required string Keywords { get; init; }
    public required string Permalink { get; init; }
    public required string Contributors { get; init; }
    public required string NotFoundTitle { get; init; }
    public required string NotFound { get; init; }
    public required string TooManyTitle { get; init; }
    public required string TooMany { get; init; }
    public required string Previous { get; init; }
    public required string Next { get; init; }
    public required string NoReports { get; init; }
    public required string SkipToContent { get; init; }
    public required Func<int, string> EntryCount { get; init; }
    public required Func<string, string> NoResults { get; init; }
    public required Func<int, string> IssueNumber { get; init; }

    public static WebTexts For(Lang lang) => lang == Lang.En ? En : Zh;

    public static WebTexts Zh { get; } = new()
    {
        SiteName = "Linux 内核月报",
        Home = "首页",
        Months = "全部月份",
        Latest = "最新一期",
        Subsystems = "子系统",
        Search = "搜索",
        SearchButton = "搜索",
        SearchHint = "可加过滤:subsystem:kvm month:2020-09",
        Feed = "Atom 订阅",
        OtherLanguage = "English",
        Authors = "作者",
        Changelog = "版本变化",
        Links = "链接",
        Keywords = "关键词",
        Permalink = "固定链接",
        Contributors = "贡献者",
        NotFoundTitle = "找不到页面",
        NotFound = "这个地址没有页面。可以从首页或搜索找起。",
        TooManyTitle = "请求太频繁",
        TooMany = "搜索请求太多了,请稍等一分钟再试。",
        Previous = "上一页",
        Next = "下一页",
        NoReports = "还没有发布任何月报。",
        SkipToContent = "跳到正文",
        EntryCount = n => $"{n} 个条目",
        NoResults = q => $"没有找到与「{q}」相关的补丁。换个关键词试试,或按子系统浏览。",
        IssueNumber = n => $"总第 {n} 期",
    };

    public static WebTexts En { get; } = new()
    {
        SiteName = "Linux kernel monthly report",
        Home = "Home",
        Months = "All months",
        Latest = "Latest issue",
        Subsystems = "Subsystems",
        Search = "Search",
        SearchButton = "Search",
        SearchHint = "Filters: subsystem:kvm month:2020-09",
        Feed = "Atom feed",
        OtherLanguage = "中文",
        Authors = "Authors",
        Changelog = "Changelog",
        Links = "Links",
        Keywords = "Keywords",
        Permalink = "Permalink",
        Contributors = "Contributors",
        NotFoundTitle = "Page not found",
        NotFound = "There is no page at this address. Start from the home page or search.",
        TooManyTitle = "Too many requests",
        TooMany = "Too many searches from your address; please wait a minute and try again.",
        Previous = "Previous",
        Next = "Next",
        NoReports = "No report has been published yet.",
        SkipToContent = "Skip to content",
        EntryCount = n => n == 1 ? "1 entry" : $"{n} entries",
        NoResults = q => $"No patches found for \"{q}\". Try other keywords, or browse by subsystem.",
        IssueNumber = n => $"Issue {n}",
    };
}
