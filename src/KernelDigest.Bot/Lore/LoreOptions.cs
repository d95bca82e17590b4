using System.ComponentModel.DataAnnotations;
using System.Reflection;

namespace KernelDigest.Bot.Lore;

/// <summary>How the bot talks to lore.kernel.org (or another public-inbox server): identity, pace, patience, cache.</summary>
public sealed class LoreOptions : IValidatableObject
{
    public const string SectionName = "Lore";

    /// <summary>The public-inbox server (env <c>Lore__BaseUrl</c>).</summary>
    [Required]
    public string BaseUrl { get; set; } = "https://lore.kernel.org";

    /// <summary>
    /// The User-Agent sent with every request; empty means <see cref="DefaultUserAgent"/>. lore sits behind a bot wall
    /// that lets identified clients through, and its operators ask tools to say who they are.
    /// </summary>
    public string? UserAgent { get; set; }

    /// <summary>Requests started per minute at most, one at a time (env <c>Lore__MaxRequestsPerMinute</c>).</summary>
    [Range(1, 60_000)]
    public int MaxRequestsPerMinute { get; set; } = 30;

    /// <summary>How long one attempt may take, body included, before it is abandoned and retried.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries after the first attempt for 429, 5xx, timeouts and cut-off answers.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 4;

    /// <summary>Folder of cached answers; empty turns the cache off.</summary>
    public string? CacheDirectory { get; set; } = "data/lore-cache";

    /// <summary>How long an answer that can still change (a thread, a recent search) is reused without asking again.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long after a date range ends its search results are taken as final (mail arrives late, clocks are wrong).
    /// A search fetched after that is never asked again.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "60.00:00:00")]
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromDays(3);

    /// <summary>How often the follow poller asks lore what is new (env <c>Lore__PollInterval</c>).</summary>
    [Range(typeof(TimeSpan), "00:00:00.200", "1.00:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(30);

    public static string DefaultUserAgent
    {
        get
        {
            var version = typeof(LoreOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "1.0";
            return $"KernelDigest/{version} (+https://github.com/kerneldigest)";
        }
    }

    public string EffectiveUserAgent => string.IsNullOrWhiteSpace(UserAgent) ? DefaultUserAgent : UserAgent.Trim();

    public Uri BaseUri => new(BaseUrl.TrimEnd('/') + "/");

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            yield return new ValidationResult($"Lore:BaseUrl '{BaseUrl}' is not an http(s) address, e.g. https://lore.kernel.org (env Lore__BaseUrl).", [nameof(BaseUrl)]);
        if (UserAgent is { } ua && (ua.Contains("Mozilla", StringComparison.OrdinalIgnoreCase) || ua.Any(char.IsControl)))
            yield return new ValidationResult("Lore:UserAgent must name this tool, not a browser (lore's bot wall challenges 'Mozilla' agents) (env Lore__UserAgent).", [nameof(UserAgent)]);
    }
}
