namespace KernelDigest.Core.Reports.Import;

/// <summary>
/// A line the importer could not place (1-based <paramref name="Line"/>), or a problem with the document as a whole
/// (<paramref name="Line"/> 0). <paramref name="Text"/> is the line as read, shortened for messages.
/// </summary>
public sealed record ImportIssue(int Line, string Text, string Reason);
