using System.ComponentModel.DataAnnotations;
using Quartz;

namespace KernelDigest.Bot.Subscriptions;

/// <summary>When digests go out and how deliveries are paced.</summary>
public sealed class DigestOptions : IValidatableObject
{
    public const string SectionName = "Digest";

    /// <summary>Quartz cron (seconds first): 10:00 on the 1st of each month by default (env <c>Digest__Cron</c>).</summary>
    [Required]
    public string Cron { get; set; } = "0 0 10 1 * ?";

    /// <summary>IANA time zone of <see cref="Cron"/> (env <c>Digest__TimeZone</c>).</summary>
    [Required]
    public string TimeZone { get; set; } = "Asia/Shanghai";

    /// <summary>Send a new month's digest as soon as its report is added, instead of at the next scheduled run.</summary>
    public bool PostOnNewReport { get; set; }

    /// <summary>Send a month published (<c>publish</c>) after its scheduled digest run at once, instead of never.</summary>
    public bool SendOnPublish { get; set; } = true;

    /// <summary>How long a claimed delivery may stay unfinished before another instance takes it over.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the dispatcher looks for due work (retries, deliveries another instance left) when not woken.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts before a delivery that keeps failing transiently is given up.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Deliveries sent at once (each still waits for the platform's rate limiter).</summary>
    [Range(1, 1024)]
    public int Concurrency { get; set; } = 32;

    /// <summary>
    /// <c>full</c> (each entry's summary) or <c>short</c> (titles with links to the web archive) for every digest this
    /// deployment sends (env <c>Digest__Style</c>). <c>/month</c> in a chat always answers in full.
    /// </summary>
    public KernelDigest.Core.Commands.DigestStyle Style { get; set; } = KernelDigest.Core.Commands.DigestStyle.Full;

    internal static bool IsCron(string text)
    {
        try
        {
            _ = new CronExpression(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>The time zone of <see cref="Cron"/> (a method, not a property: validation reads properties, and this throws for a bad id).</summary>
    public TimeZoneInfo FindZone() => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsCron(Cron))
            yield return new ValidationResult($"Digest:Cron '{Cron}' is not a Quartz cron expression (seconds minutes hours day-of-month month day-of-week), e.g. '0 0 10 1 * ?' (env Digest__Cron).", [nameof(Cron)]);
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
            yield return new ValidationResult($"Digest:TimeZone '{TimeZone}' is not a known time zone id, e.g. 'Asia/Shanghai' (env Digest__TimeZone).", [nameof(TimeZone)]);
    }
}
