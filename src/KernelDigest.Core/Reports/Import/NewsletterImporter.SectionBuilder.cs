namespace KernelDigest.Core.Reports.Import;

public sealed partial class NewsletterImporter
{
    private sealed class SectionBuilder(string heading, string subsystem, int line)
    {
        public string Heading { get; } = heading;
        public string Subsystem { get; } = subsystem;
        public int Line { get; } = line;
        public List<string> Intro { get; } = [];
        public List<ReportEntry> Entries { get; } = [];
    }
}
