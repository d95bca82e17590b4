namespace KernelDigest.Bot.Lore;

/// <summary>A lore request that failed for good: the message names the URL and what came back.</summary>
public sealed class LoreException(string url, string problem) : Exception($"lore: {url}: {problem}")
{
    public string Url { get; } = url;
    public string Problem { get; } = problem;
}
