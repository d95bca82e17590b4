namespace KernelDigest.Core.Reports;

/// <summary>A problem in a report file, located by file and 1-based line.</summary>
public sealed record ReportError(string File, int Line, string Message)
{
    public override string ToString() => $"{File}:{Line}: {Message}";
}
