namespace KernelDigest.Core.Reports;

/// <summary>
/// Reads and writes the canonical report file (Markdown with YAML front matter, see docs/report-format.md).
/// The writer escapes Markdown punctuation so that <c>Read(Write(r))</c> gives back <c>r</c>'s text exactly.
/// </summary>
public static partial class ReportMarkdown
{
    // Write is in ReportMarkdown.Writer.cs; Read in ReportMarkdown.Reader.cs, with its block walker in
    // ReportMarkdown.ReportBuilder.cs.
}
