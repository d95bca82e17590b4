using KernelDigest.Core.Reports;

namespace KernelDigest.Core.Commands;

/// <summary>What a rendered link says: "LWN", "lore v3", or the site's host for other links.</summary>
public static class LinkText
{
    public static string For(ReportLink link) => link.Kind switch
    {
        LinkKind.Lwn => string.IsNullOrEmpty(link.Label) ? "LWN" : $"LWN {link.Label}",
        LinkKind.Lore => string.IsNullOrEmpty(link.Label) ? "lore" : $"lore {link.Label}",
        LinkKind.Docs => string.IsNullOrEmpty(link.Label) ? "docs" : $"docs {link.Label}",
        _ => string.IsNullOrEmpty(link.Label) ? (Uri.TryCreate(link.Url, UriKind.Absolute, out var u) ? u.Host : "link") : link.Label,
    };
}
