namespace KernelDigest.Core.Reports.Import;

public sealed partial class NewsletterImporter
{
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
}
