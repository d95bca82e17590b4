using System.Security.Cryptography;
using System.Text.Json;
using KernelDigest.Core.Commands;

namespace KernelDigest.Bot.DiscordChat;

/// <summary>
/// The slash commands the bot registers, derived from <see cref="CommandTable"/> (names, zh-CN localizations, options,
/// who sees them by default and where they may be used), and a fingerprint to tell whether what Discord holds already
/// matches (Discord allows 200 command creates a day, so an unchanged definition is never written).
/// </summary>
public static class DiscordCommands
{
    private const string Zh = "zh-CN";

    /// <summary>
    /// Manage Server or Manage Channels (Administrator implies both), as the decimal string Discord wants: who sees a
    /// chat-state command by default. The bot checks the permissions itself too, since a server can change who sees a
    /// command.
    /// </summary>
    public static readonly string ChangeChatState =
        (DiscordPermissions.ManageGuild | DiscordPermissions.ManageChannels).ToString(System.Globalization.CultureInfo.InvariantCulture);

    // This and ChangeChatState stay above Definitions, which uses them: static initializers run in text order.
    private static readonly int[] GuildOnly = [DiscordPermissions.GuildContext];

    public static IReadOnlyList<DiscordCommand> Definitions { get; } = [.. CommandTable.All.Select(Definition)];

    private static DiscordCommand Definition(CommandSpec command) => new()
    {
        Name = command.Name,
        Description = command.Summary,
        NameLocalizations = new Dictionary<string, string> { [Zh] = command.NameZh },
        DescriptionLocalizations = new Dictionary<string, string> { [Zh] = command.SummaryZh },
        Options = command.Options.Count == 0 ? null : [.. command.Options.Select(Option)],
        DefaultMemberPermissions = command.Access == CommandAccess.ChatAdmins ? ChangeChatState : null,
        DmPermission = command.DiscordServerOnly ? false : null,
        Contexts = command.DiscordServerOnly ? GuildOnly : null,
    };

    private static DiscordCommandOption Option(CommandOption option) => new()
    {
        Type = DiscordCommandOption.StringType,
        Name = option.Name,
        Description = option.Description,
        NameLocalizations = new Dictionary<string, string> { [Zh] = option.NameZh },
        DescriptionLocalizations = new Dictionary<string, string> { [Zh] = option.DescriptionZh },
        Required = option.Required,
        Autocomplete = option.Suggest != OptionSuggest.None ? true : null,
        MinLength = 1,
        MaxLength = option.MaxLength,
    };

    public static string Fingerprint(IReadOnlyList<DiscordCommand> commands, bool guildScoped = false) =>
        Fingerprint([.. JsonSerializer.SerializeToElement(commands, DiscordJson.Options).EnumerateArray()], guildScoped);

    /// <summary>
    /// A hash of what matters in a command list: names, descriptions, options, localizations, default permissions and
    /// contexts, in a canonical form (commands by name, defaults filled in, fields Discord adds such as id and version
    /// ignored). Where a command may be used is compared as its effective contexts (contexts, else dm_permission, else
    /// Discord's default of all three), and not at all for guild-scoped commands, for which Discord does not apply them.
    /// </summary>
    public static string Fingerprint(IReadOnlyList<JsonElement> commands, bool guildScoped = false)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartArray();
            foreach (var command in commands.OrderBy(c => Text(c, "name"), StringComparer.Ordinal))
            {
                writer.WriteStartObject();
                writer.WriteNumber("type", Number(command, "type") ?? 1);
                writer.WriteString("default_member_permissions", Text(command, "default_member_permissions"));
                if (!guildScoped)
                {
                    writer.WriteStartArray("contexts");
                    foreach (var context in Contexts(command))
                        writer.WriteNumberValue(context);
                    writer.WriteEndArray();
                }
                WriteCommon(writer, command);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        return Convert.ToHexStringLower(SHA256.HashData(stream.ToArray()));
    }

    /// <summary>Where a command may be used: its contexts; without them, guild only when dm_permission is false, else all three.</summary>
    private static IEnumerable<int> Contexts(JsonElement command)
    {
        if (command.TryGetProperty("contexts", out var contexts) && contexts.ValueKind == JsonValueKind.Array)
            return contexts.EnumerateArray().Where(c => c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out _)).Select(c => c.GetInt32()).Distinct().Order();
        return command.TryGetProperty("dm_permission", out var dm) && dm.ValueKind == JsonValueKind.False ? [DiscordPermissions.GuildContext] : [0, 1, 2];
    }

    private static void WriteCommon(Utf8JsonWriter writer, JsonElement element)
    {
        writer.WriteString("name", Text(element, "name"));
        writer.WriteString("description", Text(element, "description"));
        WriteDictionary(writer, element, "name_localizations");
        WriteDictionary(writer, element, "description_localizations");
        writer.WriteStartArray("options");
        if (element.TryGetProperty("options", out var options) && options.ValueKind == JsonValueKind.Array)
        {
            foreach (var option in options.EnumerateArray())
            {
                writer.WriteStartObject();
                writer.WriteNumber("type", Number(option, "type") ?? 0);
                writer.WriteBoolean("required", Flag(option, "required"));
                writer.WriteBoolean("autocomplete", Flag(option, "autocomplete"));
                writer.WriteNumber("min_length", Number(option, "min_length") ?? -1);
                writer.WriteNumber("max_length", Number(option, "max_length") ?? -1);
                WriteCommon(writer, option);
                writer.WriteEndObject();
            }
        }
        writer.WriteEndArray();
    }

    private static void WriteDictionary(Utf8JsonWriter writer, JsonElement element, string name)
    {
        writer.WriteStartObject(name);
        if (element.TryGetProperty(name, out var dictionary) && dictionary.ValueKind == JsonValueKind.Object)
        {
            foreach (var entry in dictionary.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                writer.WriteString(entry.Name, entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString() : entry.Value.GetRawText());
        }
        writer.WriteEndObject();
    }

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    private static int? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n : null;

    private static bool Flag(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    /// <summary>A readable summary for logs: "patch, subsystem, …".</summary>
    public static string Names(IEnumerable<DiscordCommand> commands) => string.Join(", ", commands.Select(c => "/" + c.Name));
}
