using System.Globalization;
using System.Text.RegularExpressions;

namespace KernelDigest.Core.Reports.Import;

public sealed partial class NewsletterImporter
{
    [GeneratedRegex(@"^(?<num>\d{1,2}|[一二三四五六七八九十]{1,3})\s*[.．、]\s*(?<text>\S.*)$")]
    private static partial Regex SectionHeading();

    [GeneratedRegex(@"(?<y>\d{4})\s*年\s*(?<m>\d{1,2})\s*月")]
    private static partial Regex ChineseMonth();

    [GeneratedRegex(@"(?<!\d)(?<y>(?:19|20)\d{2})[-_/.](?<m>\d{1,2})(?!\d)")]
    private static partial Regex NumericMonth();

    [GeneratedRegex(@"(?:19|20)\d{2}")]
    private static partial Regex Year();

    [GeneratedRegex(@"第\s*(?<n>\d{1,4})\s*期")]
    private static partial Regex IssueNumber();

    [GeneratedRegex(@"(?:贡献人员|贡献者|贡献人|contributors?)[^:：]{0,12}[:：]\s*(?<names>.*)$", RegexOptions.IgnoreCase)]
    private static partial Regex ContributorLabel();

    [GeneratedRegex(@"[、,，;；/]")]
    private static partial Regex NameSeparator();

    // 2–4 capitalised name tokens; a token may carry "-lowercase" ("Yu-cheng"), taken lazily so that
    // "Chenyi Qiang-add bus lock" keeps "add" in the title. Then '-' and the title.
    [GeneratedRegex(@"^(?<author>\p{Lu}[\p{Ll}'’]+(?:-\p{Ll}+)??(?:[ \t]+\p{Lu}[\p{Ll}'’]+(?:-\p{Ll}+)??){1,3})[ \t]*-[ \t]*(?<title>\S.*)$")]
    private static partial Regex AuthorTitle();

    [GeneratedRegex(@"^(?:[vV]\s*\d+\s*(?:-+\s*>|-*\s*》|－+\s*[>＞]|－*\s*》|—+\s*>|=+>|→|\bto\b)\s*[vV]\s*\d+|(?:changes?|changelog)\s+(?:since|from|in|for)\s+[vV]\s*\d+)[^。\n]{0,24}$", RegexOptions.IgnoreCase)]
    private static partial Regex ChangelogLabel();

    [GeneratedRegex(@"^(?<num>\d{1,3})\s*[.．、)）](?!\d)\s*(?<text>\S.*)$")]
    private static partial Regex NumberedItem();

    [GeneratedRegex(@"^\d{1,3}\s*[:：]")]
    private static partial Regex FootnoteItem();

    [GeneratedRegex(@"^[-•·●▪◦*–]\s*(?<text>\S.*)$")]
    private static partial Regex BulletItem();

    [GeneratedRegex(@"^[\[【](?<n>\d{1,3})[\]】]\s*(?<url>https?://[^\s，。；、（）<>]+)$")]
    private static partial Regex RefLink();

    [GeneratedRegex(@"^[-•·●▪◦*–]\s*(?:(?<label>[^:：\s][^:：]{0,29}?)\s*[:：]\s*)?(?<url>https?://[^\s，。；、（）<>]+)$")]
    private static partial Regex LinkBullet();

    [GeneratedRegex(@"^<?(?<url>https?://[^\s，。；、（）<>]+)>?$")]
    private static partial Regex BareUrl();

    [GeneratedRegex(@"^[(（]?\s*-*\s*END\s*-*\s*[)）]?$", RegexOptions.IgnoreCase)]
    private static partial Regex EndMarker();

    [GeneratedRegex(@"^\S?\s*(?:分享|点赞|在看)$")]
    private static partial Regex ShareButton();

    private static bool IsBoilerplate(string t) =>
        ShareButton().IsMatch(t)
        || (t.Length <= 40 && t.Contains("原创精华文章", StringComparison.Ordinal))
        || (t.Length <= 80 && t.Contains("扫描", StringComparison.Ordinal)
            && (t.Contains("关注", StringComparison.Ordinal) || t.Contains("二维码", StringComparison.Ordinal)));

    private static bool TryLink(string t, out ReportLink link)
    {
        link = null!;
        if (!t.Contains("://", StringComparison.Ordinal) || t.Length > 2000)
            return false;
        if (RefLink().Match(t) is { Success: true } r)
        {
            link = new ReportLink(r.Groups["url"].Value, t[..(t.IndexOfAny([']', '】']) + 1)]);
            return true;
        }
        if (LinkBullet().Match(t) is { Success: true } b)
        {
            link = new ReportLink(b.Groups["url"].Value, b.Groups["label"].Success ? b.Groups["label"].Value : null);
            return true;
        }
        if (BareUrl().Match(t) is { Success: true } u)
        {
            link = new ReportLink(u.Groups["url"].Value);
            return true;
        }
        return false;
    }

    /// <summary>A line that can be a title: short, not a sentence, not a list item, bullet or address.</summary>
    private static bool LooksLikeTitle(string t) =>
        t.Length is >= 2 and <= MaxTitleLength
        && !TerminalPunctuation.Contains(t[^1], StringComparison.Ordinal)
        && !t.Contains('。', StringComparison.Ordinal)
        && !t.Contains('，', StringComparison.Ordinal)
        && !t.Contains("://", StringComparison.Ordinal)
        && !BulletItem().IsMatch(t)
        && !NumberedItem().IsMatch(t)
        && !FootnoteItem().IsMatch(t);

    /// <summary>An English patch title ("arm/arm64: Turning IPIs into normal interrupts"): no CJK, several words, mostly letters.</summary>
    private static bool IsLatinHeadline(string t)
    {
        if (TextUtil.HasCjk(t) || !char.IsAsciiLetter(t[0]))
            return false;
        if (t.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length < 3)
            return false;
        int letters = 0, other = 0;
        foreach (var c in t)
        {
            if (char.IsAsciiLetter(c))
                letters++;
            else if (c != ' ')
                other++;
        }
        return letters >= 0.75 * (letters + other);
    }

    private static int ParseNumber(string num)
    {
        if (int.TryParse(num, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            return n;
        const string digits = "一二三四五六七八九";
        var ten = num.IndexOf('十', StringComparison.Ordinal);
        if (ten < 0)
            return num.Length == 1 ? digits.IndexOf(num[0], StringComparison.Ordinal) + 1 : -1;
        var tens = ten == 0 ? 1 : digits.IndexOf(num[0], StringComparison.Ordinal) + 1;
        var units = ten == num.Length - 1 ? 0 : digits.IndexOf(num[^1], StringComparison.Ordinal) + 1;
        return tens * 10 + units;
    }
}
