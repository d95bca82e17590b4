using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using KernelDigest.Core.Subsystems;

namespace KernelDigest.Core.Reports.Import;

/// <summary>
/// A line the importer could not place (1-based <paramref name="Line"/>), or a problem with the document as a whole
/// (<paramref name="Line"/> 0). <paramref name="Text"/> is the line as read, shortened for messages.
/// </summary>
public sealed record ImportIssue(int Line, string Text, string Reason);

/// <summary>The imported report and everything the importer could not place, in line order.</summary>
public sealed record ImportResult(Report Report, IReadOnlyList<ImportIssue> Issues);

/// <summary>
/// Turns the raw text of a "Linux内核月报" newsletter issue (as copied from the published article) into a
/// <see cref="Report"/>. Source lines are paragraphs; the importer never throws on bad input, it reports
/// every non-blank line it cannot place as an <see cref="ImportIssue"/>.
/// </summary>
/// <remarks>
/// Layout it understands: a title line carrying the month ("(2020年09月)"), a free-form header (issue number
/// "总第4期", the contributors after "贡献人员:", the rest kept as preface), numbered section headings ("1. 虚拟化"),
/// and in each section entries that start with a title line after a blank line: "Author Name-Title", a title whose
/// next line is a link bullet ("• 补丁:https://…"), or an English patch title followed directly by its text.
/// Inside an entry: summary paragraphs, changelog blocks ("v9 -> v10:" / "V1 -》V2的改变:" + numbered items),
/// reference links ("[1]https://…"), link bullets and standalone URLs. Everything after "(END)" is boilerplate.
/// </remarks>
public sealed partial class NewsletterImporter(SubsystemCatalog subsystems)
{
    private const int MaxIssues = 1000;
    private const int MaxKeywords = 8;
    private const int MaxTitleLength = 160;
    private const int MaxHeadingLength = 40;
    private const string TerminalPunctuation = "。.,，;；:：!！?？、…";

    public ImportResult Import(string rawText, string? sourcePath = null)
    {
        var lines = SplitLines(rawText ?? string.Empty);
        return new Run(subsystems, lines, sourcePath).Execute();
    }

    /// <summary>Strips a BOM and splits on any line ending (\r\n, \r, \n, U+2028, U+2029).</summary>
    private static string[] SplitLines(string text)
    {
        if (text.Length > 0 && text[0] == '\uFEFF')
            text = text[1..];
        return text.Split(["\r\n", "\r", "\n", "\u2028", "\u2029"], StringSplitOptions.None);
    }

    private static bool IsSpace(char c) => char.IsWhiteSpace(c) || c is '\u200B' or '\uFEFF';

    /// <summary>Trims ASCII, full-width (U+3000), no-break and zero-width spaces.</summary>
    internal static string TrimLine(string line)
    {
        var start = 0;
        var end = line.Length;
        while (start < end && IsSpace(line[start]))
            start++;
        while (end > start && IsSpace(line[end - 1]))
            end--;
        return line[start..end];
    }

    /// <summary>Control characters, replacement characters, non-characters or broken surrogate pairs: not text.</summary>
    private static bool IsUnreadable(string line)
    {
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < line.Length && char.IsLowSurrogate(line[i + 1]))
                {
                    i++;
                    continue;
                }
                return true;
            }
            if (char.IsLowSurrogate(c) || c is '\uFFFD' or '\uFFFE' or '\uFFFF' || (char.IsControl(c) && c != '\t'))
                return true;
        }
        return false;
    }

    private static string ForMessage(string line)
    {
        var sb = new StringBuilder(Math.Min(line.Length, 200));
        foreach (var c in line.Length > 400 ? line[..400] : line)
            sb.Append(char.IsControl(c) || char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF' ? '\uFFFD' : c);
        return TextUtil.Truncate(sb.ToString(), 200);
    }

    // ---- line shapes -------------------------------------------------------------------------------------------

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

    // ---- keywords ----------------------------------------------------------------------------------------------

    [GeneratedRegex(@"[A-Za-z0-9_]+(?:[-.][A-Za-z0-9_]+)*")]
    private static partial Regex KeywordToken();

    [GeneratedRegex(@"^(?:[vV]\d+(?:\.\d+)*(?:-rc\d+)?|rc\d+)$", RegexOptions.IgnoreCase)]
    private static partial Regex VersionLike();

    [GeneratedRegex(@"^(?<caps>[A-Z]{2,})[a-z]{3,}$")]
    private static partial Regex CapsGluedToWord();

    /// <summary>Upper-case words that are English or units rather than identifiers.</summary>
    private static readonly HashSet<string> NotKeywords = new(StringComparer.Ordinal)
    {
        "PATCH", "RFC", "TODO", "OK", "END", "THE", "AND", "FOR", "NOT", "BUT", "WITH", "ID", "IT", "IS", "OR", "NOTE",
        "FAQ", "KB", "MB", "GB", "TB", "PB", "CPU",
    };

    /// <summary>
    /// Up to <paramref name="max"/> identifiers in order of first appearance, deduplicated ignoring case: tokens with an
    /// underscore (KVM_BUG_ON), hyphenated tokens (blk-iocost, SEV-ES), letter-led tokens with digits (fchmodat2,
    /// arm64) and upper-case acronyms (TDP, IPIs → IPI). Version numbers, plain words and Chinese are skipped.
    /// </summary>
    internal static IReadOnlyList<string> ExtractKeywords(IEnumerable<string> texts, int max = MaxKeywords)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = new List<string>();
        foreach (var text in texts)
        {
            for (var m = KeywordToken().Match(text); m.Success; m = m.NextMatch())
            {
                if (Keyword(m.Value) is { } keyword && seen.Add(keyword))
                {
                    result.Add(keyword);
                    if (result.Count >= max)
                        return result;
                }
            }
        }
        return result;
    }

    private static string? Keyword(string token)
    {
        if (token.Length > 40 || !(char.IsAsciiLetter(token[0]) || token[0] == '_'))
            return null;
        if (token.Contains('-', StringComparison.Ordinal))
        {
            // "SEV-EShypervisor" (a lost space): keep "SEV-ES".
            var parts = token.Split('-');
            for (var k = 1; k < parts.Length; k++)
            {
                if (CapsGluedToWord().Match(parts[k]) is { Success: true } glued)
                {
                    token = string.Join('-', parts[..k]) + "-" + glued.Groups["caps"].Value;
                    break;
                }
            }
        }
        if (VersionLike().IsMatch(token) || !token.Any(char.IsAsciiLetter))
            return null;
        if (token.Contains('_', StringComparison.Ordinal) || token.Contains('-', StringComparison.Ordinal))
            return token;
        if (token.Any(char.IsAsciiDigit))
            return token.Length >= 3 && !token.Contains('.', StringComparison.Ordinal) ? token : null;
        if (token.Length >= 3 && token[^1] == 's' && token[..^1].All(char.IsAsciiLetterUpper))
            token = token[..^1];
        return token.Length >= 2 && token.All(char.IsAsciiLetterUpper) && !NotKeywords.Contains(token) ? token : null;
    }

    // ---- the parse ---------------------------------------------------------------------------------------------

    private enum Mode
    {
        Header,
        Orphan,
        Section,
        Tail,
    }

    private sealed class SectionBuilder(string heading, string subsystem, int line)
    {
        public string Heading { get; } = heading;
        public string Subsystem { get; } = subsystem;
        public int Line { get; } = line;
        public List<string> Intro { get; } = [];
        public List<ReportEntry> Entries { get; } = [];
    }

    private sealed class EntryBuilder(string title, IReadOnlyList<string> authors)
    {
        public string Title { get; } = title;
        public IReadOnlyList<string> Authors { get; } = authors;
        public List<string> Summary { get; } = [];
        public List<(string Label, List<string> Items)> Changes { get; } = [];
        public List<ReportLink> Links { get; } = [];
        public List<string>? OpenChange { get; set; }

        public ReportEntry Build() => new()
        {
            Title = Title,
            Authors = Authors,
            Summary = [.. Summary],
            Changelog = [.. Changes.Select(c => new VersionChange(c.Label, [.. c.Items]))],
            Links = [.. Links],
            Keywords = ExtractKeywords(Summary.Prepend(Title)),
        };
    }

    private sealed class Run(SubsystemCatalog catalog, string[] raw, string? sourcePath)
    {
        private readonly string[] _text = [.. raw.Select(TrimLine)];
        private readonly List<ImportIssue> _issues = [];
        private int _unreported;

        private string _title = string.Empty;
        private int _titleLine;
        private int? _issueNumber;
        private string[] _contributors = [];
        private readonly List<string> _preface = [];
        private bool _expectContributors;

        private readonly List<ReportSection> _sections = [];
        private int _sectionCount;
        private SectionBuilder? _section;
        private EntryBuilder? _entry;
        private Mode _mode = Mode.Header;
        private int _blankRun;
        private bool _afterHeading;
        private bool _sawContent;
        private int _lastListNumber;

        private bool IsBlank(int i) => _text[i].Length == 0;

        private bool IsContent(int i) => !IsBlank(i) && !IsUnreadable(_text[i]);

        private void AddIssue(int index, string reason) => AddIssue(index + 1, _text[index], reason);

        private void AddIssue(int line, string text, string reason)
        {
            if (_issues.Count < MaxIssues)
                _issues.Add(new ImportIssue(line, ForMessage(text), reason));
            else
                _unreported++;
        }

        public ImportResult Execute()
        {
            var start = ReadTitle();
            for (var i = start; i < raw.Length; i++)
            {
                if (IsBlank(i))
                {
                    _blankRun++;
                    continue;
                }
                var t = _text[i];
                if (IsUnreadable(t))
                {
                    AddIssue(i, "unreadable characters (binary data?); line skipped");
                    _blankRun++;
                    continue;
                }
                if (_mode == Mode.Tail)
                {
                    if (!IsBoilerplate(t))
                        AddIssue(i, "text after the end marker \"(END)\"");
                    continue;
                }
                if (EndMarker().IsMatch(t))
                {
                    _mode = Mode.Tail;
                    continue;
                }
                if (IsBoilerplate(t))
                {
                    _blankRun++;
                    continue;
                }
                if (TryStartSection(i))
                {
                    _blankRun = 0;
                    _afterHeading = true;
                    _sawContent = true;
                    continue;
                }
                switch (_mode)
                {
                    case Mode.Header:
                        HeaderLine(i);
                        break;
                    case Mode.Orphan:
                        AddIssue(i, "text before the first section heading (\"1. 虚拟化\") and after the header");
                        break;
                    default:
                        SectionLine(i);
                        break;
                }
                _blankRun = 0;
                _afterHeading = false;
                _sawContent = true;
            }
            FinishSection();
            return new ImportResult(BuildReport(), Issues());
        }

        /// <summary>The first readable line is the title, unless it is already a section heading or far too long.</summary>
        private int ReadTitle()
        {
            for (var i = 0; i < raw.Length; i++)
            {
                if (IsBlank(i))
                    continue;
                if (IsUnreadable(_text[i]))
                {
                    AddIssue(i, "unreadable characters (binary data?); line skipped");
                    continue;
                }
                if (_text[i].Length > 200 || (SectionHeading().IsMatch(_text[i]) && !ChineseMonth().IsMatch(_text[i])))
                {
                    AddIssue(i + 1, _text[i], "no title line: the first line should be the newsletter title, e.g. \"Linux阅码场 - Linux内核月报(2020年09月)\"");
                    return i;
                }
                _title = _text[i];
                _titleLine = i + 1;
                return i + 1;
            }
            AddIssue(0, string.Empty, "the input has no readable text");
            return raw.Length;
        }

        private void HeaderLine(int i)
        {
            var t = _text[i];
            if (IsEntryShaped(i))
            {
                _mode = Mode.Orphan;
                AddIssue(i, "entry text before the first section heading (\"1. 虚拟化\"); is the heading missing?");
                return;
            }
            if (_issueNumber is null && IssueNumber().Match(t) is { Success: true } issue
                && int.TryParse(issue.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                _issueNumber = n;
            if (_expectContributors)
            {
                _expectContributors = false;
                if (t.Length <= 120 && !t.Contains('。', StringComparison.Ordinal))
                {
                    _contributors = SplitNames(t);
                    return;
                }
            }
            if (_contributors.Length == 0 && t.Length <= 120 && ContributorLabel().Match(t) is { Success: true } label)
            {
                var names = label.Groups["names"].Value;
                if (names.Length > 0)
                    _contributors = SplitNames(names);
                else
                    _expectContributors = true;
                return;
            }
            _preface.Add(t);
        }

        private static string[] SplitNames(string text) =>
            [.. NameSeparator().Split(text).Select(TrimLine).Where(n => n.Length > 0)];

        /// <summary>Lines that only occur inside entries: an author-title line, a changelog label, a "[1]" reference.</summary>
        private bool IsEntryShaped(int i)
        {
            var t = _text[i];
            return (_blankRun > 0 && t.Length <= MaxTitleLength && AuthorTitle().Match(t) is { Success: true } m
                    && LooksLikeTitle(m.Groups["title"].Value))
                || (t.Length <= 60 && ChangelogLabel().IsMatch(t))
                || RefLink().IsMatch(t);
        }

        /// <summary>
        /// "1. 虚拟化" / "2.文件系统和Block Layer" / "三、体系架构": a short numbered line between blank lines, numbered
        /// next in sequence and not continuing a numbered list, or naming a known subsystem.
        /// </summary>
        private bool TryStartSection(int i)
        {
            var t = _text[i];
            if (t.Length > MaxHeadingLength + 6 || SectionHeading().Match(t) is not { Success: true } m)
                return false;
            var heading = TrimLine(m.Groups["text"].Value);
            if (heading.Length > MaxHeadingLength || TerminalPunctuation.Contains(heading[^1], StringComparison.Ordinal)
                || heading.Contains('。', StringComparison.Ordinal) || heading.Contains("://", StringComparison.Ordinal)
                || Year().IsMatch(heading))
                return false;
            var blankBefore = _blankRun > 0 || !_sawContent;
            var blankAfter = i + 1 >= raw.Length || !IsContent(i + 1);
            if (!blankBefore || !blankAfter)
                return false;
            var n = ParseNumber(m.Groups["num"].Value);
            var subsystem = catalog.Resolve(heading);
            var inList = _entry?.OpenChange is not null || (_lastListNumber > 0 && n == _lastListNumber + 1);
            var next = _sectionCount + 1;
            if (!((n == next && (!inList || subsystem is not null)) || (subsystem is not null && _blankRun >= 2)))
                return false;

            FinishSection();
            _sectionCount++;
            _section = new SectionBuilder(heading, subsystem?.Key ?? SubsystemCatalog.OtherKey, i + 1);
            _mode = Mode.Section;
            _expectContributors = false;
            _lastListNumber = 0;
            if (subsystem is null)
                AddIssue(i, $"section heading \"{heading}\" maps to no subsystem; imported as \"{SubsystemCatalog.OtherKey}\"");
            return true;
        }

        private void SectionLine(int i)
        {
            var t = _text[i];
            var blankBefore = _blankRun > 0 || _afterHeading;

            if (_entry?.OpenChange is { } items && TryListItem(t, out var item, out var number))
            {
                items.Add(item);
                _lastListNumber = number;
                return;
            }
            if (t.Length <= 60 && ChangelogLabel().IsMatch(t))
            {
                _lastListNumber = 0;
                if (_entry is null)
                {
                    AddIssue(i, "changelog label outside an entry");
                    return;
                }
                var change = (t, new List<string>());
                _entry.Changes.Add(change);
                _entry.OpenChange = change.Item2;
                return;
            }
            _entry?.OpenChange = null;
            if (TryLink(t, out var link))
            {
                _lastListNumber = 0;
                if (_entry is null)
                    AddIssue(i, "link outside an entry (is the entry's title line missing?)");
                else
                    _entry.Links.Add(link);
                return;
            }
            if (blankBefore && TryEntryTitle(i, out var title, out var authors))
            {
                FinishEntry();
                _entry = new EntryBuilder(title, authors);
                _lastListNumber = 0;
                return;
            }
            _lastListNumber = NumberedItem().Match(t) is { Success: true } numbered
                ? ParseNumber(numbered.Groups["num"].Value)
                : 0;
            if (_entry is not null)
                _entry.Summary.Add(t);
            else
                _section!.Intro.Add(t);
        }

        private static bool TryListItem(string t, out string item, out int number)
        {
            if (NumberedItem().Match(t) is { Success: true } m)
            {
                item = m.Groups["text"].Value;
                number = ParseNumber(m.Groups["num"].Value);
                return true;
            }
            if (BulletItem().Match(t) is { Success: true } b)
            {
                item = b.Groups["text"].Value;
                number = 0;
                return true;
            }
            item = string.Empty;
            number = 0;
            return false;
        }

        /// <summary>
        /// An entry starts (after a blank line) with "Author Name-Title"; or a title line whose next line is a link
        /// bullet ("• 补丁:https://…"); or an English patch title followed directly, without a blank line, by its text.
        /// </summary>
        private bool TryEntryTitle(int i, out string title, out IReadOnlyList<string> authors)
        {
            var t = _text[i];
            title = t;
            authors = [];
            if (!LooksLikeTitle(t))
                return false;
            if (AuthorTitle().Match(t) is { Success: true } m && LooksLikeTitle(m.Groups["title"].Value))
            {
                title = m.Groups["title"].Value;
                authors = [m.Groups["author"].Value];
                return true;
            }
            var next = NextContent(i);
            if (next < 0)
                return false;
            if (LinkBullet().IsMatch(_text[next]) && t.Any(char.IsAsciiLetterOrDigit))
                return true;
            return next == i + 1 && !TryLink(_text[next], out _) && IsLatinHeadline(t);
        }

        private int NextContent(int i)
        {
            for (var j = i + 1; j < raw.Length; j++)
            {
                if (IsContent(j))
                    return j;
                if (!IsBlank(j))
                    return -1;
            }
            return -1;
        }

        private void FinishEntry()
        {
            if (_entry is null)
                return;
            _section!.Entries.Add(_entry.Build());
            _entry = null;
        }

        private void FinishSection()
        {
            if (_section is null)
                return;
            FinishEntry();
            if (_section.Entries.Count == 0)
                AddIssue(_section.Line, _section.Heading, "section has no entries: no title line was recognised in it");
            _sections.Add(new ReportSection
            {
                Heading = _section.Heading,
                Subsystem = _section.Subsystem,
                Intro = [.. _section.Intro],
                Entries = [.. _section.Entries],
            });
            _section = null;
        }

        private Report BuildReport()
        {
            if (_sectionCount == 0)
                AddIssue(0, string.Empty, "no section heading (\"1. 虚拟化\") found: the report has no entries");
            return new Report
            {
                Month = ReadMonth(),
                Issue = _issueNumber,
                Title = _title,
                Contributors = _contributors,
                Source = ReadSource(),
                Preface = _preface.Count > 0 ? string.Join("\n\n", _preface) : null,
                Sections = [.. _sections],
                SourcePath = sourcePath,
            };
        }

        private ReportMonth ReadMonth()
        {
            foreach (var candidate in new[] { (ChineseMonth(), _title), (NumericMonth(), _title), (NumericMonth(), FileName()) })
            {
                if (candidate.Item1.Match(candidate.Item2) is { Success: true } m
                    && ReportMonth.TryParse($"{m.Groups["y"].Value}-{m.Groups["m"].Value}", out var month))
                    return month;
            }
            AddIssue(_titleLine, _title, "no month found in the title (expected e.g. \"(2020年09月)\")");
            return default;
        }

        private string FileName()
        {
            if (string.IsNullOrEmpty(sourcePath))
                return string.Empty;
            var name = sourcePath.Replace('\\', '/');
            return name[(name.LastIndexOf('/') + 1)..];
        }

        /// <summary>The publication: the title's part before " - " ("Linux阅码场").</summary>
        private string? ReadSource()
        {
            foreach (var separator in new[] { " - ", " – ", " — ", "｜", " | " })
            {
                var at = _title.IndexOf(separator, StringComparison.Ordinal);
                if (at > 0)
                    return TrimLine(_title[..at]);
            }
            return null;
        }

        private List<ImportIssue> Issues()
        {
            if (_unreported > 0)
                _issues.Add(new ImportIssue(0, string.Empty, $"{_unreported} more lines could not be placed and are not listed"));
            return [.. _issues.OrderBy(x => x.Line)];
        }
    }
}
