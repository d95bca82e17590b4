using System.Globalization;

namespace KernelDigest.Core.Lore;

/// <summary>
/// Ranks a month's series by their activity that month. The score, documented in the README ("Editors"):
/// <c>3 × versions posted + 2 × distinct reviewers + 1 × review tags + 1 × distinct repliers + 0.5 × replies + 5 if applied</c>.
/// A new version is the strongest sign of work; reviewers weigh more than their tags so one person's three tags do
/// not outrank three people; replies count a little, since long arguments are not always progress. Ties go to the
/// series posted last, then by title, so the order is stable between runs.
/// </summary>
public static class SeriesRanking
{
    public static double Score(PatchSeries s) =>
        3 * s.Versions.Count + 2 * s.Reviewers.Count + s.ReviewTags.Count + s.Repliers + 0.5 * s.Replies + (s.Applied is null ? 0 : 5);

    public static IReadOnlyList<PatchSeries> Rank(IEnumerable<PatchSeries> series) =>
        [.. series.OrderByDescending(Score).ThenByDescending(s => s.Latest.Date).ThenBy(s => s.Title, StringComparer.Ordinal)];

    /// <summary>The facts behind a score, one line: "score 18.5: 2 versions (v9, v10), 3 reviewers, …".</summary>
    public static string Facts(PatchSeries s)
    {
        var parts = new List<string>
        {
            Count(s.Versions.Count, "version") + " (" + string.Join(", ", s.Versions.Select(v => v.Label)) + ")",
            Count(s.Reviewers.Count, "reviewer"),
            Count(s.ReviewTags.Count, "review tag"),
            Count(s.Replies, "reply", "replies") + " from " + Count(s.Repliers, "person", "people"),
        };
        if (s.Applied is { } applied)
            parts.Add($"applied ({applied.Source}: {applied.Detail})");
        return "score " + Score(s).ToString("0.#", CultureInfo.InvariantCulture) + ": " + string.Join(", ", parts);
    }

    private static string Count(int n, string one, string? many = null) =>
        n.ToString(CultureInfo.InvariantCulture) + " " + (n == 1 ? one : many ?? one + "s");
}
