namespace KernelDigest.Core.Reports.Import;

/// <summary>The imported report and everything the importer could not place, in line order.</summary>
public sealed record ImportResult(Report Report, IReadOnlyList<ImportIssue> Issues);
