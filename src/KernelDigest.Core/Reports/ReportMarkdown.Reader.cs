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

public static partial class ReportMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseYamlFrontMatter().Build();

    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    private static readonly string[] ChangelogHeadings = ["changelog", "changes", "变更", "版本变更", "更新记录"];
    private static readonly string[] LinkHeadings = ["links", "link", "链接", "参考链接"];

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
