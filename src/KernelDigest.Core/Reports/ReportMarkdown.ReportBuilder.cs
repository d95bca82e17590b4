using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using KernelDigest.Core.Subsystems;

namespace KernelDigest.Core.Reports;

public static partial class ReportMarkdown
{
    /// <summary>Walks the top-level blocks in order: preface, sections (H1), entries (H2), their sub-parts (H3/H4).</summary>
    private sealed class ReportBuilder(string file, SubsystemCatalog subsystems, List<ReportError> errors)
    {
        private enum Part { Summary, Changelog, Links }

        private readonly List<(ReportSection Section, List<string> Intro, List<ReportEntry> Entries)> _sections = [];
        private EntryDraft? _entry;
        private Part _part;

        public List<string> Preface { get; } = [];

        public void Add(Block block)
        {
            var line = block.Line + 1;
            switch (block)
            {
                case HeadingBlock { Level: 1 } h:
                    CloseEntry();
                    var heading = InlineText(h.Inline);
                    var subsystem = subsystems.Resolve(heading);
                    if (subsystem is null)
                        errors.Add(new ReportError(file, line, $"section '{heading}' matches no subsystem in config/subsystems.yaml (add an alias there)"));
                    _sections.Add((new ReportSection { Heading = heading, Subsystem = subsystem?.Key ?? SubsystemCatalog.OtherKey }, [], []));
                    break;
                case HeadingBlock { Level: 2 } h:
                    CloseEntry();
                    var title = InlineText(h.Inline);
                    if (_sections.Count == 0)
                        errors.Add(new ReportError(file, line, $"entry '{title}' comes before any section ('# heading')"));
                    else if (title.Length == 0)
                        errors.Add(new ReportError(file, line, "entry has an empty title"));
                    _entry = new EntryDraft(title);
                    _part = Part.Summary;
                    break;
                case HeadingBlock { Level: 3 } h:
                    var written = InlineText(h.Inline);
                    var name = written.ToLowerInvariant();
                    if (_entry is null)
                        errors.Add(new ReportError(file, line, $"'### {written}' is outside an entry"));
                    else if (ChangelogHeadings.Contains(name))
                        _part = Part.Changelog;
                    else if (LinkHeadings.Contains(name))
                        _part = Part.Links;
                    else
                        errors.Add(new ReportError(file, line, $"unknown entry part '### {written}' (expected Changelog or Links)"));
                    break;
                case HeadingBlock { Level: 4 } h when _entry is not null && _part == Part.Changelog:
                    _entry.Changelog.Add((InlineText(h.Inline), []));
                    break;
                case HeadingBlock h:
                    errors.Add(new ReportError(file, line, $"heading level {h.Level} is not used here ('#' section, '##' entry, '###' Changelog/Links, '####' version)"));
                    break;
                case ListBlock list:
                    AddList(list);
                    break;
                case ParagraphBlock or CodeBlock or QuoteBlock:
                    foreach (var text in BlockTexts(block))
                        AddText(text, line);
                    break;
                case ThematicBreakBlock or HtmlBlock or LinkReferenceDefinitionGroup or BlankLineBlock:
                    break;
                default:
                    errors.Add(new ReportError(file, line, $"unexpected {block.GetType().Name}"));
                    break;
            }
        }

        private void AddList(ListBlock list)
        {
            var items = list.OfType<ListItemBlock>().ToList();
            if (_entry is not null && _part == Part.Summary && _entry.Summary.Count == 0 && !_entry.HasMeta
                && items.All(i => MetaLine(i) is not null))
            {
                foreach (var item in items)
                    ApplyMeta(MetaLine(item)!.Value);
                _entry.HasMeta = true;
                return;
            }
            foreach (var item in items)
            {
                if (_entry is not null && _part == Part.Links)
                {
                    AddLink(item);
                    continue;
                }
                var text = string.Join(" ", item.SelectMany(BlockTexts));
                // A list written inside a summary keeps its marker so the text reads as the editor wrote it.
                var marker = _part == Part.Summary ? (list.IsOrdered ? $"{FirstNumber(list) + list.IndexOf(item)}. " : "- ") : "";
                AddText(marker + text, item.Line + 1);
            }
        }

        private static int FirstNumber(ListBlock list) =>
            int.TryParse(list.OrderedStart, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 1;

        private void AddText(string text, int line)
        {
            if (text.Length == 0)
                return;
            if (_entry is not null)
            {
                switch (_part)
                {
                    case Part.Summary:
                        _entry.Summary.Add(text);
                        break;
                    case Part.Changelog when _entry.Changelog.Count > 0:
                        _entry.Changelog[^1].Items.Add(text);
                        break;
                    case Part.Changelog:
                        errors.Add(new ReportError(file, line, "changelog text before any '#### vN -> vM' heading"));
                        break;
                    case Part.Links:
                        errors.Add(new ReportError(file, line, "the Links part takes a list of links ('- [label](url)')"));
                        break;
                }
            }
            else if (_sections.Count > 0)
                _sections[^1].Intro.Add(text);
            else
                Preface.Add(text);
        }

        private void AddLink(ListItemBlock item)
        {
            var inlines = item.OfType<ParagraphBlock>().SelectMany(p => p.Inline?.Descendants<Inline>() ?? []).ToList();
            var link = inlines.OfType<LinkInline>().FirstOrDefault(l => !l.IsImage);
            var auto = inlines.OfType<AutolinkInline>().FirstOrDefault();
            string? url = link?.Url ?? auto?.Url;
            if (url is null)
            {
                // A bare address is accepted too: "- https://lwn.net/..."
                var bare = string.Join(" ", item.SelectMany(BlockTexts)).Trim();
                if (Uri.TryCreate(bare, UriKind.Absolute, out var u) && u.Scheme is "http" or "https")
                    url = bare;
            }
            if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out _))
            {
                errors.Add(new ReportError(file, item.Line + 1, "link item has no address (write '- [label](https://...)' or '- <https://...>')"));
                return;
            }
            var label = link is not null ? LabelText(link) : null;
            _entry!.Links.Add(new ReportLink(url, string.IsNullOrEmpty(label) ? null : label));
        }

        private static (string Key, string Value)? MetaLine(ListItemBlock item)
        {
            var text = string.Join(" ", item.SelectMany(BlockTexts));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
                return null;
            var key = text[..colon].Trim().ToLowerInvariant();
            return key is "authors" or "author" or "keywords" or "作者" or "关键词" or "note" ? (key, text[(colon + 1)..].Trim()) : null;
        }

        private void ApplyMeta((string Key, string Value) meta)
        {
            if (meta.Key == "note")
            {
                _entry!.Note = meta.Value;
                return;
            }
            var values = meta.Value.Split([',', '，', '、'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (meta.Key is "authors" or "author" or "作者")
                _entry!.Authors.AddRange(values);
            else
                _entry!.Keywords.AddRange(values);
        }

        private void CloseEntry()
        {
            // Text after the entry (a section intro) is not in the entry's Changelog or Links part any more.
            _part = Part.Summary;
            if (_entry is null)
                return;
            if (_sections.Count > 0)
            {
                _sections[^1].Entries.Add(new ReportEntry
                {
                    Title = _entry.Title,
                    Authors = _entry.Authors,
                    Keywords = _entry.Keywords,
                    Summary = _entry.Summary,
                    Changelog = [.. _entry.Changelog.Select(c => new VersionChange(c.Label, c.Items))],
                    Links = _entry.Links,
                    Note = _entry.Note,
                });
            }
            _entry = null;
        }

        public IReadOnlyList<ReportSection> Build()
        {
            CloseEntry();
            return [.. _sections.Select(s => s.Section with { Intro = s.Intro, Entries = s.Entries })];
        }

        private sealed class EntryDraft(string title)
        {
            public string Title { get; } = title;
            public bool HasMeta { get; set; }
            public string? Note { get; set; }
            public List<string> Authors { get; } = [];
            public List<string> Keywords { get; } = [];
            public List<string> Summary { get; } = [];
            public List<(string Label, List<string> Items)> Changelog { get; } = [];
            public List<ReportLink> Links { get; } = [];
        }
    }
}
