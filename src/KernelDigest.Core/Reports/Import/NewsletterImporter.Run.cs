using System.Globalization;
using KernelDigest.Core.Subsystems;

namespace KernelDigest.Core.Reports.Import;

public sealed partial class NewsletterImporter
{
    private enum Mode
    {
        Header,
        Orphan,
        Section,
        Tail,
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
