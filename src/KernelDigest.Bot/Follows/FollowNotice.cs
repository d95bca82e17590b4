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

    /// <summary>New series a watched query matched, in one message per poll.</summary>
    public const string Watch = "watch";

    /// <summary>A published month has an entry for a followed series.</summary>
    public const string Report = "report";
}

/// <summary>One new series a watch found: what its root message says.</summary>
public sealed record NoticeSeries(string Title, string Author, string Label, int Patches, string Url);

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

    /// <summary>For <see cref="NoticeKind.Watch"/>: the query, and the new series it matched.</summary>
    public string? Query { get; init; }
    public IReadOnlyList<NoticeSeries> Matches { get; init; } = [];

    /// <summary>For <see cref="NoticeKind.Report"/>: the month, and the entry as a /patch result shows it.</summary>
    public string? Month { get; init; }
    public NoticeEntry? Entry { get; init; }

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
        if (Kind == NoticeKind.Watch)
            return Answer(t.WatchTitle(Query ?? "", Matches.Count), [], [.. Matches.Select(m => new ReplyItem
            {
                Title = m.Title,
                Meta = string.Join(" · ", new[] { m.Author, m.Label, m.Patches > 0 ? t.Patches(m.Patches) : "" }.Where(p => p.Length > 0)),
                Links = [new ReportLink(m.Url, "lore")],
            })], []);
        if (Kind == NoticeKind.Report && Entry is { } entry)
            return Answer(t.InReport(Title, Month ?? ""), [], [new ReplyItem
            {
                Title = entry.Title,
                Meta = entry.Meta,
                Summary = entry.Summary,
                Links = entry.Links,
                Url = entry.Url,
            }], []);
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
        return Answer(title, body, [], [new ReportLink(Url, Kind == NoticeKind.Applied ? t.AppliedLink : Label)]);

        Reply Answer(string heading, List<string> paragraphs, IReadOnlyList<ReplyItem> items, IReadOnlyList<ReportLink> links) => new()
        {
            Command = "follow-notice",
            Query = Kind,
            Lang = lang,
            Title = heading,
            Body = paragraphs,
            Items = items,
            Links = links,
        };
    }
}

/// <summary>A report entry as a /patch result shows it, fixed when the notice was owed.</summary>
public sealed record NoticeEntry(string Title, string? Meta, string? Summary, IReadOnlyList<ReportLink> Links, string? Url);
