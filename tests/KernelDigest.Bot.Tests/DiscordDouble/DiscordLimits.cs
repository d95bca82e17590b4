using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace KernelDigest.Bot.Tests.DiscordDouble;

/// <summary>
/// Discord's documented limits on messages and command definitions (platforms.md §1.4–1.6), as checks that name each
/// broken rule. The REST double refuses what breaks them; interaction tests apply them to the endpoint's responses.
/// </summary>
public static partial class DiscordLimits
{
    public const string EmptyMessage = "message has no content, embeds or components";

    public static List<string> MessageProblems(JsonElement message)
    {
        var problems = new List<string>();
        var content = String(message, "content");
        if (content is { Length: > 2000 })
            problems.Add($"content {content.Length} > 2000");
        var embeds = Array(message, "embeds");
        var components = Array(message, "components");
        if (string.IsNullOrEmpty(content) && embeds.Count == 0 && components.Count == 0)
            problems.Add(EmptyMessage);
        if (embeds.Count > 10)
            problems.Add($"{embeds.Count} embeds > 10");
        var total = 0;
        for (var e = 0; e < embeds.Count; e++)
        {
            var embed = embeds[e];
            var title = String(embed, "title");
            var description = String(embed, "description");
            Check(problems, $"embeds[{e}].title", title, 256);
            Check(problems, $"embeds[{e}].description", description, 4096);
            total += (title?.Trim().Length ?? 0) + (description?.Trim().Length ?? 0);
            var fields = Array(embed, "fields");
            if (fields.Count > 25)
                problems.Add($"embeds[{e}]: {fields.Count} fields > 25");
            for (var f = 0; f < fields.Count; f++)
            {
                var name = String(fields[f], "name");
                var value = String(fields[f], "value");
                if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(value))
                    problems.Add($"embeds[{e}].fields[{f}] needs a name and a value");
                Check(problems, $"embeds[{e}].fields[{f}].name", name, 256);
                Check(problems, $"embeds[{e}].fields[{f}].value", value, 1024);
                total += (name?.Trim().Length ?? 0) + (value?.Trim().Length ?? 0);
            }
            if (embed.TryGetProperty("footer", out var footer) && footer.ValueKind == JsonValueKind.Object)
            {
                var text = String(footer, "text");
                Check(problems, $"embeds[{e}].footer.text", text, 2048);
                total += text?.Trim().Length ?? 0;
            }
        }
        if (total > 6000)
            problems.Add($"embeds total {total} > 6000");

        if (components.Count > 5)
            problems.Add($"{components.Count} action rows > 5");
        var customIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in components)
        {
            var buttons = Array(row, "components");
            if (Number(row, "type") != 1 || buttons.Count is < 1 or > 5)
                problems.Add("an action row holds 1–5 components");
            foreach (var button in buttons)
            {
                var style = Number(button, "style");
                var label = String(button, "label");
                Check(problems, "button label", label, 80);
                var customId = String(button, "custom_id");
                var url = String(button, "url");
                if (Number(button, "type") != 2 || style is < 1 or > 5)
                    problems.Add("not a button");
                if (style == 5 && (url is null || customId is not null || !Uri.TryCreate(url, UriKind.Absolute, out _) || url.Length > 512))
                    problems.Add("a link button has a url (≤ 512) and no custom_id");
                if (style != 5 && (customId is null || customId.Length is 0 or > 100 || url is not null))
                    problems.Add("a button has a custom_id of 1–100 characters and no url");
                if (customId is not null && !customIds.Add(customId))
                    problems.Add($"duplicate custom_id {customId}");
            }
        }
        return problems;
    }

    /// <summary>The characters Discord counts toward a message's 6,000.</summary>
    public static int EmbedTotal(JsonElement message) =>
        Array(message, "embeds").Sum(e =>
            (String(e, "title")?.Length ?? 0) + (String(e, "description")?.Length ?? 0)
            + Array(e, "fields").Sum(f => (String(f, "name")?.Length ?? 0) + (String(f, "value")?.Length ?? 0))
            + (e.TryGetProperty("footer", out var footer) ? String(footer, "text")?.Length ?? 0 : 0));

    public static List<string> CommandProblems(JsonArray commands)
    {
        var problems = new List<string>();
        if (commands.Count > 100)
            problems.Add("more than 100 commands");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in commands)
        {
            using var document = JsonDocument.Parse(node!.ToJsonString());
            var command = document.RootElement;
            var name = String(command, "name") ?? "";
            if (!names.Add(name))
                problems.Add($"duplicate command {name}");
            CheckNamed(problems, command, name);
            var options = Array(command, "options");
            if (options.Count > 25)
                problems.Add($"{name}: more than 25 options");
            var optional = false;
            var optionNames = new HashSet<string>(StringComparer.Ordinal);
            foreach (var option in options)
            {
                var optionName = String(option, "name") ?? "";
                CheckNamed(problems, option, name + "." + optionName);
                if (!optionNames.Add(optionName))
                    problems.Add($"{name}: duplicate option {optionName}");
                var required = option.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.True;
                if (required && optional)
                    problems.Add($"{name}: required option {optionName} after an optional one");
                optional |= !required;
                if (Number(option, "type") is not (>= 1 and <= 11))
                    problems.Add($"{name}.{optionName}: bad type");
                if (option.TryGetProperty("autocomplete", out var a) && a.ValueKind == JsonValueKind.True && option.TryGetProperty("choices", out _))
                    problems.Add($"{name}.{optionName}: autocomplete with choices");
            }
            if (command.TryGetProperty("default_member_permissions", out var perms) && perms.ValueKind != JsonValueKind.Null
                && (perms.ValueKind != JsonValueKind.String || perms.GetString() is not { Length: > 0 } bits || !bits.All(char.IsAsciiDigit)))
                problems.Add($"{name}: default_member_permissions must be a decimal string or null");
            if (command.TryGetProperty("dm_permission", out var dm) && dm.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
                problems.Add($"{name}: dm_permission must be a boolean");
            if (command.TryGetProperty("contexts", out var contexts) && contexts.ValueKind != JsonValueKind.Null
                && (contexts.ValueKind != JsonValueKind.Array || contexts.EnumerateArray().Any(c => c.ValueKind != JsonValueKind.Number || c.GetInt32() is < 0 or > 2)))
                problems.Add($"{name}: contexts must be an array of 0 (guild), 1 (bot DM) or 2 (private channel)");
            if (command.GetRawText().Length > 8000)
                problems.Add($"{name}: larger than 8000");
        }
        return problems;
    }

    private static void CheckNamed(List<string> problems, JsonElement element, string where)
    {
        var name = String(element, "name") ?? "";
        var description = String(element, "description") ?? "";
        if (!CommandName().IsMatch(name) || !string.Equals(name, name.ToLowerInvariant(), StringComparison.Ordinal))
            problems.Add($"{where}: bad name '{name}'");
        if (description.Length is < 1 or > 100)
            problems.Add($"{where}: description must be 1–100 characters");
        if (element.TryGetProperty("name_localizations", out var names) && names.ValueKind == JsonValueKind.Object)
        {
            foreach (var n in names.EnumerateObject())
            {
                var localized = n.Value.GetString() ?? "";
                if (!CommandName().IsMatch(localized) || !string.Equals(localized, localized.ToLowerInvariant(), StringComparison.Ordinal))
                    problems.Add($"{where}: bad {n.Name} name '{localized}'");
            }
        }
        if (element.TryGetProperty("description_localizations", out var descriptions) && descriptions.ValueKind == JsonValueKind.Object)
        {
            foreach (var d in descriptions.EnumerateObject())
            {
                if ((d.Value.GetString() ?? "").Length is < 1 or > 100)
                    problems.Add($"{where}: {d.Name} description must be 1–100 characters");
            }
        }
    }

    // platforms.md §1.5: ^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$ (Devanagari and Thai are letters in .NET's \p{L} or marks; marks are rare here).
    [GeneratedRegex(@"^[-_'\p{L}\p{N}]{1,32}$")]
    private static partial Regex CommandName();

    private static void Check(List<string> problems, string what, string? text, int max)
    {
        if (text is not null && text.Length > max)
            problems.Add($"{what} {text.Length} > {max}");
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? Number(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;

    private static List<JsonElement> Array(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray()] : [];
}
