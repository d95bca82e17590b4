namespace KernelDigest.Core.Reports;

/// <summary>The outcome of reading one report file: the report, or the errors that kept it out.</summary>
public sealed record ReportReadResult(Report? Report, IReadOnlyList<ReportError> Errors);
