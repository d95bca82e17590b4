using System.Text;
using Markdig;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using KernelDigest.Core.Subsystems;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace KernelDigest.Core.Reports;

/// <summary>A problem in a report file, located by file and 1-based line.</summary>
public sealed record ReportError(string File, int Line, string Message)
{
    public override string ToString() => $"{File}:{Line}: {Message}";
}

/// <summary>The outcome of reading one report file: the report, or the errors that kept it out.</summary>
public sealed record ReportReadResult(Report? Report, IReadOnlyList<ReportError> Errors);

/// <summary>
/// Reads and writes the canonical report file (Markdown with YAML front matter, see docs/report-format.md).
/// The writer escapes Markdown punctuation so that <c>Read(Write(r))</c> gives back <c>r</c>'s text exactly.
/// </summary>
public static class ReportMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseYamlFrontMatter().Build();

    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    private static readonly string[] ChangelogHeadings = ["changelog", "changes", "变更", "版本变更", "更新记录"];
    private static readonly string[] LinkHeadings = ["links", "link", "链接", "参考链接"];

    // ---------------------------------------------------------------- writing

    public static string Write(Report report)
    {
        var sb = new StringBuilder();
        sb.Append("---\n");
        sb.Append("month: ").Append(report.Month).Append('\n');
        if (report.Issue is { } issue)
            sb.Append("issue: ").Append(issue).Append('\n');
        sb.Append("title: ").Append(YamlScalar(report.Title)).Append('\n');
        if (report.Contributors.Count > 0)
            sb.Append("contributors: [").AppendJoin(", ", report.Contributors.Select(YamlScalar)).Append("]\n");
        if (!string.IsNullOrEmpty(report.Source))
            sb.Append("source: ").Append(YamlScalar(report.Source)).Append('\n');
        if (report.Status is { } status)
            sb.Append("status: ").Append(status == ReportStatus.Draft ? "draft" : "published").Append('\n');
        if (report.Published is { } published)
            sb.Append("published: ").Append(published.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("---\n");

        if (!string.IsNullOrWhiteSpace(report.Preface))
        {
            foreach (var paragraph in report.Preface.Split("\n\n"))
                sb.Append('\n').Append(EscapeBlock(paragraph)).Append('\n');
        }

        foreach (var section in report.Sections)
        {
            sb.Append("\n# ").Append(EscapeInline(section.Heading)).Append('\n');
            foreach (var paragraph in section.Intro)
                sb.Append('\n').Append(EscapeBlock(paragraph)).Append('\n');
            foreach (var entry in section.Entries)
                WriteEntry(sb, entry);
        }
        return sb.ToString();
    }

    private static void WriteEntry(StringBuilder sb, ReportEntry entry)
    {
        sb.Append("\n## ").Append(EscapeInline(entry.Title)).Append('\n');
        if (entry.Authors.Count > 0 || entry.Keywords.Count > 0 || !string.IsNullOrWhiteSpace(entry.Note))
        {
            sb.Append('\n');
            if (entry.Authors.Count > 0)
                sb.Append("- authors: ").AppendJoin(", ", entry.Authors.Select(EscapeInline)).Append('\n');
            if (entry.Keywords.Count > 0)
                sb.Append("- keywords: ").AppendJoin(", ", entry.Keywords.Select(EscapeInline)).Append('\n');
            if (!string.IsNullOrWhiteSpace(entry.Note))
                sb.Append("- note: ").Append(EscapeInline(entry.Note.ReplaceLineEndings(" "))).Append('\n');
        }
        foreach (var paragraph in entry.Summary)
            sb.Append('\n').Append(EscapeBlock(paragraph)).Append('\n');
        if (entry.Changelog.Count > 0)
        {
            sb.Append("\n### Changelog\n");
            foreach (var change in entry.Changelog)
            {
                sb.Append("\n#### ").Append(EscapeInline(change.Label)).Append("\n\n");
                var n = 1;
                foreach (var item in change.Items)
                    sb.Append(n++).Append(". ").Append(EscapeBlock(item)).Append('\n');
            }
        }
        if (entry.Links.Count > 0)
        {
            sb.Append("\n### Links\n\n");
            foreach (var link in entry.Links)
                sb.Append("- ").Append(LinkMarkdown(link)).Append('\n');
        }
    }

    private static string LinkMarkdown(ReportLink link)
    {
        var url = link.Url.Replace("<", "%3C", StringComparison.Ordinal).Replace(">", "%3E", StringComparison.Ordinal);
        var plainAutolink = !url.Any(char.IsWhiteSpace);
        if (string.IsNullOrEmpty(link.Label) && plainAutolink)
            return $"<{url}>";
        return $"[{EscapeInline(link.Label ?? "")}](<{url}>)";
    }

    private static string YamlScalar(string value) =>
        value.Length > 0 && value is not ("null" or "Null" or "NULL") && value.All(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '(' or ')' or '.' or '（' or '）')
            && !char.IsWhiteSpace(value[0]) && !char.IsWhiteSpace(value[^1]) && value[0] != '-'
            ? value
            : "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>Escapes a paragraph so Markdown reads it back as this exact text (one line, no block syntax).</summary>
    internal static string EscapeBlock(string text)
    {
        var escaped = EscapeInline(text.ReplaceLineEndings(" "));
        // A line that would open a list, heading, quote or thematic break is kept a paragraph.
        if (escaped.Length > 0 && escaped[0] is '-' or '+' or '*' or '=' or '>' or '|' or '~')
            return "\\" + escaped;
        var digits = 0;
        while (digits < escaped.Length && digits < 10 && char.IsAsciiDigit(escaped[digits]))
            digits++;
        if (digits > 0 && digits < escaped.Length && escaped[digits] is '.' or ')')
            return string.Concat(escaped.AsSpan(0, digits), "\\", escaped.AsSpan(digits));
        return escaped;
    }

    /// <summary>Backslash-escapes the ASCII punctuation that CommonMark could read as inline markup.</summary>
    internal static string EscapeInline(string text)
    {
        var sb = new StringBuilder(text.Length + 8);
        var s = text.Trim();
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '\\' or '`' or '*' or '[' or ']' or '<' or '#' or '!':
                    sb.Append('\\').Append(c);
                    break;
                case '_':
                    // Inside a word (RWF_NOAPPEND) an underscore cannot start emphasis; leave it readable there.
                    var intraword = i > 0 && char.IsLetterOrDigit(s[i - 1]) && i + 1 < s.Length && char.IsLetterOrDigit(s[i + 1]);
                    if (!intraword)
                        sb.Append('\\');
                    sb.Append(c);
                    break;
                case '&':
                    sb.Append("\\&");
                    break;
                case '\t':
                    sb.Append(' ');
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }
        // Two trailing spaces would be a hard break; the trim above removed them.
        return sb.ToString();
    }

    // ---------------------------------------------------------------- reading

    /// <summary>Reads one report file. Never throws for bad content: problems come back as errors with line numbers.</summary>
    public static ReportReadResult Read(string text, string file, SubsystemCatalog subsystems)
    {
        var errors = new List<ReportError>();
        MarkdownDocument doc;
        try
        {
            doc = Markdown.Parse(text, Pipeline);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return new ReportReadResult(null, [new ReportError(file, 1, $"not readable as Markdown: {ex.Message}")]);
        }

        var front = doc.Descendants<YamlFrontMatterBlock>().FirstOrDefault();
        if (front is null)
            return new ReportReadResult(null, [new ReportError(file, 1, "missing YAML front matter (a '---' block with month and title)")]);

        var meta = ReadFrontMatter(front, file, errors);
        var builder = new ReportBuilder(file, subsystems, errors);
        foreach (var block in doc)
        {
            if (block is not YamlFrontMatterBlock)
                builder.Add(block);
        }
        if (meta is null || errors.Count > 0)
            return new ReportReadResult(null, errors);

        var report = new Report
        {
            Month = meta.Value.Month,
            Issue = meta.Value.Issue,
            Title = meta.Value.Title,
            Contributors = meta.Value.Contributors,
            Source = meta.Value.Source,
            Status = meta.Value.Status,
            Published = meta.Value.Published,
            Preface = builder.Preface.Count > 0 ? string.Join("\n\n", builder.Preface) : null,
            Sections = builder.Build(),
            SourcePath = file,
        };
        return new ReportReadResult(report, errors);
    }

    private readonly record struct FrontMatter(ReportMonth Month, int? Issue, string Title, IReadOnlyList<string> Contributors, string? Source, ReportStatus? Status, DateTimeOffset? Published);

    private static FrontMatter? ReadFrontMatter(YamlFrontMatterBlock block, string file, List<ReportError> errors)
    {
        var firstLine = block.Line + 1; // Markdig lines are 0-based; line 1 is the opening '---'.
        FrontMatterFile? data;
        try
        {
            var yaml = string.Join('\n', block.Lines.Lines.Take(block.Lines.Count).Select(l => l.ToString()));
            data = Yaml.Deserialize<FrontMatterFile>(yaml);
        }
        catch (YamlException ex)
        {
            errors.Add(new ReportError(file, firstLine + (int)ex.Start.Line, $"front matter: {YamlMessage(ex)}"));
            return null;
        }
        if (data is null)
        {
            errors.Add(new ReportError(file, firstLine, "front matter is empty: it needs month and title"));
            return null;
        }
        var ok = true;
        if (!ReportMonth.TryParse(data.Month, out var month))
        {
            errors.Add(new ReportError(file, KeyLine(block, "month") ?? firstLine, $"front matter: month '{data.Month}' is not YYYY-MM"));
            ok = false;
        }
        else
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (ReportMonth.TryParse(name, out var fromName) && fromName != month)
            {
                errors.Add(new ReportError(file, KeyLine(block, "month") ?? firstLine, $"front matter: month {month} does not match the file name {name}"));
                ok = false;
            }
        }
        if (string.IsNullOrWhiteSpace(data.Title))
        {
            errors.Add(new ReportError(file, KeyLine(block, "title") ?? firstLine, "front matter: title is missing"));
            ok = false;
        }
        ReportStatus? status = data.Status?.Trim().ToLowerInvariant() switch
        {
            null => null,
            "draft" => ReportStatus.Draft,
            "published" => ReportStatus.Published,
            _ => null,
        };
        if (data.Status is not null && status is null)
        {
            errors.Add(new ReportError(file, KeyLine(block, "status") ?? firstLine, $"front matter: status '{data.Status}' is not draft or published"));
            ok = false;
        }
        DateTimeOffset? published = null;
        if (data.Published is not null)
        {
            if (DateTimeOffset.TryParse(data.Published, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
                published = at.ToUniversalTime();
            else
            {
                errors.Add(new ReportError(file, KeyLine(block, "published") ?? firstLine, $"front matter: published '{data.Published}' is not a time like 2020-10-03T08:00:00Z"));
                ok = false;
            }
        }
        // An empty list item ("- " or "~") is YAML null: leave it out rather than hand on a null name.
        var contributors = data.Contributors?.Where(c => !string.IsNullOrWhiteSpace(c)).ToList() ?? [];
        return ok ? new FrontMatter(month, data.Issue, data.Title!.Trim(), contributors, data.Source, status, published) : null;
    }

    /// <summary>The 1-based file line of a top-level front matter key ("month: ..."), when it is there.</summary>
    private static int? KeyLine(YamlFrontMatterBlock block, string key)
    {
        for (var i = 0; i < block.Lines.Count; i++)
        {
            var text = block.Lines.Lines[i].ToString();
            if (text.StartsWith(key, StringComparison.Ordinal) && text.AsSpan(key.Length).TrimStart(' ').StartsWith(":"))
                return block.Lines.Lines[i].Line + 1;
        }
        return null;
    }

    /// <summary>
    /// YamlDotNet wraps conversion errors ("The input string 'four' was not in a correct format") in a generic
    /// "Exception during deserialization"; show the inner message when it says something, else the outer one.
    /// </summary>
    private static string YamlMessage(YamlException ex) => ex.InnerException switch
    {
        InvalidOperationException => "not valid YAML here (an unclosed '[', '{' or quote?)",
        { Message.Length: > 0 } inner => inner.Message,
        _ => ex.Message,
    };

    private sealed class FrontMatterFile
    {
        public string? Month { get; set; }
        public int? Issue { get; set; }
        public string? Title { get; set; }
        public List<string>? Contributors { get; set; }
        public string? Source { get; set; }
        public string? Status { get; set; }
        public string? Published { get; set; }
    }

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

    private static IEnumerable<string> BlockTexts(Block block)
    {
        switch (block)
        {
            case ParagraphBlock p:
                yield return InlineText(p.Inline);
                break;
            case CodeBlock c:
                yield return string.Join('\n', c.Lines.Lines.Take(c.Lines.Count).Select(l => l.ToString())).Trim();
                break;
            case ContainerBlock container:
                foreach (var child in container)
                {
                    foreach (var text in BlockTexts(child))
                        yield return text;
                }
                break;
            case HeadingBlock h:
                yield return InlineText(h.Inline);
                break;
        }
    }

    /// <summary>The plain text of inline content: escapes resolved, markup dropped, links as "label (url)".</summary>
    internal static string InlineText(ContainerInline? container)
    {
        if (container is null)
            return "";
        var sb = new StringBuilder();
        AppendInline(sb, container);
        return sb.ToString().Trim();
    }

    private static string LabelText(LinkInline link)
    {
        var sb = new StringBuilder();
        AppendChildren(sb, link);
        return sb.ToString().Trim();
    }

    private static void AppendInline(StringBuilder sb, Inline inline)
    {
        switch (inline)
        {
            case LiteralInline literal:
                sb.Append(literal.Content.AsSpan());
                break;
            case CodeInline code:
                sb.Append(code.Content);
                break;
            case AutolinkInline auto:
                sb.Append(auto.Url);
                break;
            case HtmlEntityInline entity:
                sb.Append(entity.Transcoded.AsSpan());
                break;
            case HtmlInline html:
                sb.Append(html.Tag);
                break;
            case LineBreakInline:
                // A soft break joins lines: no space between Chinese characters, one space elsewhere.
                if (sb.Length > 0 && !TextUtil.HasCjk(sb.ToString(sb.Length - 1, 1)))
                    sb.Append(' ');
                break;
            case LinkInline link when link.IsImage:
                break;
            case LinkInline link:
                AppendChildren(sb, link);
                sb.Append(" (").Append(link.Url).Append(')');
                break;
            case ContainerInline container:
                AppendChildren(sb, container);
                break;
        }
    }

    private static void AppendChildren(StringBuilder sb, ContainerInline container)
    {
        foreach (var child in container)
            AppendInline(sb, child);
    }
}
