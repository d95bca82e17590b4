using System.ComponentModel.DataAnnotations;

namespace KernelDigest.Bot.Web;

/// <summary>The web archive: served beside the webhooks and health endpoints, on the app's URLs.</summary>
public sealed class WebOptions : IValidatableObject
{
    public const string SectionName = "Web";

    /// <summary>Serve the archive (env <c>Web__Enabled</c>); on by default.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The archive's public address, e.g. <c>https://kernel.example.org/</c> (env <c>Web__BaseUrl</c>). When set, chat
    /// replies and digests link each entry to its page, and feeds use it for their links; unset, chats are unchanged.
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary>Searches one client may run per minute (env <c>Web__SearchPermitsPerMinute</c>); more get a 429 page.</summary>
    [Range(1, 1_000_000)]
    public int SearchPermitsPerMinute { get; set; } = 60;

    public Uri? BaseUri => string.IsNullOrWhiteSpace(BaseUrl) ? null : new Uri(BaseUrl, UriKind.Absolute);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(BaseUrl)
            && (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(uri.Query)))
            yield return new ValidationResult($"Web:BaseUrl '{BaseUrl}' is not an absolute http(s) address without a query, e.g. https://kernel.example.org/ (env Web__BaseUrl).", [nameof(BaseUrl)]);
    }
}
