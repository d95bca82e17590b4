using System.Text.Json;
using System.Text.RegularExpressions;
using KernelDigest.Bot.DiscordChat;
using KernelDigest.Bot.Tests.DiscordDouble;

namespace KernelDigest.Bot.Tests.DiscordChat;

/// <summary>Reading Discord messages (JSON) as a user would see them, and checking them against Discord's rules.</summary>
public static partial class DiscordMessages
{
    /// <summary>The first embed's title, as sent (markdown-escaped); null when there is none.</summary>
    public static string? Title(JsonElement message) => Embeds(message) is [var first, ..] ? Text(first, "title") : null;

    /// <summary>A message body the double recorded, as an element that outlives its document.</summary>
    public static JsonElement Parse(System.Text.Json.Nodes.JsonObject body) => JsonDocument.Parse(body.ToJsonString()).RootElement.Clone();

    public static List<JsonElement> Embeds(JsonElement message) =>
        message.TryGetProperty("embeds", out var e) && e.ValueKind == JsonValueKind.Array ? [.. e.EnumerateArray()] : [];

    public static List<JsonElement> Fields(JsonElement embed) =>
        embed.TryGetProperty("fields", out var f) && f.ValueKind == JsonValueKind.Array ? [.. f.EnumerateArray()] : [];

    public static List<JsonElement> Buttons(JsonElement message) =>
        message.TryGetProperty("components", out var rows) && rows.ValueKind == JsonValueKind.Array
            ? [.. rows.EnumerateArray().SelectMany(r => r.GetProperty("components").EnumerateArray())]
            : [];

    public static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Every markdown string of a message in reading order: titles, descriptions, field names and values, footers.</summary>
    public static IEnumerable<string> Strings(JsonElement message)
    {
        foreach (var embed in Embeds(message))
        {
            if (Text(embed, "title") is { } title)
                yield return title;
            if (Text(embed, "description") is { } description)
                yield return description;
            foreach (var field in Fields(embed))
            {
                yield return Text(field, "name")!;
                yield return Text(field, "value")!;
            }
            if (embed.TryGetProperty("footer", out var footer) && Text(footer, "text") is { } text)
                yield return text;
        }
    }

    /// <summary>What a user reads: markdown escapes and zero-width spaces removed, masked links shown as their label.</summary>
    public static string Visible(JsonElement message) =>
        string.Join("\n", Strings(message).Select(s => DiscordMarkdown.Unescape(MaskedLink().Replace(s, "${label}"))));

    /// <summary>Discord's limits hold, and the message can mention no one.</summary>
    public static void AssertSendable(JsonElement message)
    {
        var problems = DiscordLimits.MessageProblems(message);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(message.TryGetProperty("allowed_mentions", out var mentions), "allowed_mentions missing");
        Assert.Empty(mentions.GetProperty("parse").EnumerateArray());
        foreach (var text in Strings(message))
        {
            // Ordinal: a culture-aware comparison ignores the zero-width space that breaks the mention.
            Assert.False(text.Contains("@everyone", StringComparison.Ordinal), text);
            Assert.False(text.Contains("@here", StringComparison.Ordinal), text);
            Assert.False(LiveMention().IsMatch(text), text);
        }
    }

    public static string Squash(string s) => Whitespace().Replace(s, "");

    // A masked link is "[label](url)" with an unescaped "[": "\[x\](url)" is literal text.
    [GeneratedRegex(@"(?<!\\)\[(?<label>(?:[^\]\\]|\\.)*)\]\(https?://[^)\s]+\)")]
    private static partial Regex MaskedLink();

    /// <summary>A user, role or channel mention Discord would render: "&lt;@", "&lt;@&amp;", "&lt;#" not escaped.</summary>
    [GeneratedRegex(@"(?<!\\)<[@#]")]
    public static partial Regex LiveMention();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
