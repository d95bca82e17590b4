using KernelDigest.Core.Reports;

namespace KernelDigest.Core.Commands;

/// <summary>
/// How replies present entries in this deployment: with a link to each entry's archive page when the archive's public
/// address is known, and digests in full or as titles only. The default changes nothing.
/// </summary>
public sealed record ReportPresentation(ArchiveLinks? Links = null, DigestStyle DigestStyle = DigestStyle.Full)
{
    public static ReportPresentation Default { get; } = new();
}

/// <summary><c>Digest:Style</c>: a month's digest with each entry's summary, or titles with links only.</summary>
// The members are the words operators write (Digest__Style=short), not the integer type CA1720 fears.
#pragma warning disable CA1720
public enum DigestStyle
{
    Full,
    Short,
}
#pragma warning restore CA1720
