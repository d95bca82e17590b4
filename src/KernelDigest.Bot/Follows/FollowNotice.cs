using System.Text.Json;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;

namespace KernelDigest.Bot.Follows;

public static class NoticeKind
{
    /// <summary>A new version of a followed series was posted.</summary>
    public const string Version = "version";

    /// <summary>A maintainer (or patchwork-bot, or b4 ty) said it was applied.</summary>
    public const string Applied = "applied";
}

/// <summary>
/// What a notice says, as facts fixed when lore showed them (stored as the outbox row's payload): rendered into a
/// <see cref="Reply"/> in the chat's language only when sent, so each platform escapes, splits and links it as it
/// does any reply.
/// </summary>
public sealed record FollowNotice
{
    public required string Kind { get; init; }
    public required string Title { get; init; }
    public required string Author { get; init; }

    /// <summary>"v3", "RFC v2": the version the notice is about.</summary>
    public required string Label { get; init; }

    public int Patches { get; init; }

    /// <summary>The changelog lines the new version's cover letter gives for itself.</summary>
    public IReadOnlyList<string> Changes { get; init; } = [];

    /// <summary>The new version's cover letter, or the message that said it was applied.</summary>
    public required string Url { get; init; }

    /// <summary>For <see cref="NoticeKind.Applied"/>: who said so and where ("Paolo Bonzini: Queued to kvm/next").</summary>
    public string? AppliedDetail { get; init; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static FollowNotice? FromJson(string? json)
    {
        if (string.IsNullOrEmpty(json))
            return null;
        try
        {
            return JsonSerializer.Deserialize<FollowNotice>(json, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public Reply Render(Lang lang)
    {
        var t = FollowTexts.For(lang);
        var body = new List<string>();
        string title;
        if (Kind == NoticeKind.Applied)
        {
            title = t.AppliedTitle(Title, Author);
            if (AppliedDetail is { Length: > 0 } detail)
                body.Add(detail);
        }
        else
        {
            title = t.VersionTitle(Label, Title, Author);
            if (Patches > 0)
                body.Add(t.Patches(Patches));
            if (Changes.Count > 0)
            {
                body.Add(t.ChangesIn(Label));
                body.AddRange(Changes.Take(20).Select(c => "• " + TextUtil.Truncate(c, 300)));
            }
        }
        return new Reply
        {
            Command = "follow-notice",
            Query = Kind,
            Lang = lang,
            Title = title,
            Body = body,
            Links = [new ReportLink(Url, Kind == NoticeKind.Applied ? t.AppliedLink : Label)],
        };
    }
}
