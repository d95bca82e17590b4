using System.Security.Cryptography;
using System.Text.Json;

namespace KernelDigest.Bot.DiscordChat;

/// <summary>
/// The slash commands the bot registers, with zh-CN localizations, and a fingerprint to tell whether what Discord
/// holds already matches (Discord allows 200 command creates a day, so an unchanged definition is never written).
/// </summary>
public static class DiscordCommands
{
    /// <summary>A query longer than this could not ride in a page button's custom_id (100 characters).</summary>
    public const int MaxQueryLength = 90;

    private const string Zh = "zh-CN";

    /// <summary>
    /// Manage Server or Manage Channels (Administrator implies both), as the decimal string Discord wants: who sees
    /// /subscribe and /unsubscribe by default. The bot checks the permissions itself too, since a server can change who
    /// sees a command.
    /// </summary>
    public static readonly string ChangeSubscription =
        (DiscordPermissions.ManageGuild | DiscordPermissions.ManageChannels).ToString(System.Globalization.CultureInfo.InvariantCulture);

    // This and ChangeSubscription stay above Definitions, which uses them: static initializers run in text order.
    private static readonly int[] GuildOnly = [DiscordPermissions.GuildContext];

    public static IReadOnlyList<DiscordCommand> Definitions { get; } =
    [
        Command("patch", "补丁", "Search patches in every monthly report", "搜索所有月报中的补丁",
        [
            Option("query", "关键词", "Keywords, e.g. TDP MMU; filters: subsystem:kvm month:2020-09", "关键词,如 TDP MMU;可加 subsystem:kvm month:2020-09",
                required: true, autocomplete: false, maxLength: MaxQueryLength),
        ]),
        Command("subsystem", "子系统", "A subsystem's summary for a month; without a name, the list of subsystems", "子系统摘要;不带名称时列出所有子系统",
        [
            Option("name", "名称", "Subsystem, e.g. kvm", "子系统,如 kvm", required: false, autocomplete: true, maxLength: 64),
            Option("month", "月份", "Month as YYYY-MM (default: the latest)", "月份,格式 YYYY-MM(默认最新一期)", required: false, autocomplete: true, maxLength: 16),
        ]),
        Command("month", "月报", "A month's digest, the latest by default", "某月月报摘要,默认最新一期",
        [
            Option("month", "月份", "Month as YYYY-MM (default: the latest)", "月份,格式 YYYY-MM(默认最新一期)", required: false, autocomplete: true, maxLength: 16),
        ]),
        Command("latest", "最新", "The latest monthly report", "最新一期月报", null),
        Command("help", "帮助", "How to use this bot", "显示帮助", null),
        Command("about", "关于", "About this bot and the reports it knows", "关于本机器人", null),
        Command("subscribe", "订阅", "Post the monthly digest in this channel (admins)", "在本频道订阅月报推送(管理员)",
        [
            Option("subsystems", "子系统", "Only these subsystems, e.g. kvm fs (default: all)", "只推送这些子系统,如 kvm fs(默认全部)",
                required: false, autocomplete: false, maxLength: 200),
        ]) with { DefaultMemberPermissions = ChangeSubscription, DmPermission = false, Contexts = GuildOnly },
        Command("unsubscribe", "退订", "Stop the monthly digest in this channel (admins)", "取消本频道的月报推送(管理员)", null)
            with { DefaultMemberPermissions = ChangeSubscription, DmPermission = false, Contexts = GuildOnly },
        Command("subscription", "订阅状态", "This channel's digest subscription", "本频道的月报订阅状态", null)
            with { DmPermission = false, Contexts = GuildOnly },
    ];

    private static DiscordCommand Command(string name, string nameZh, string description, string descriptionZh, IReadOnlyList<DiscordCommandOption>? options) => new()
    {
        Name = name,
        Description = description,
        NameLocalizations = new Dictionary<string, string> { [Zh] = nameZh },
        DescriptionLocalizations = new Dictionary<string, string> { [Zh] = descriptionZh },
        Options = options,
    };

    private static DiscordCommandOption Option(string name, string nameZh, string description, string descriptionZh, bool required, bool autocomplete, int maxLength) => new()
    {
        Type = DiscordCommandOption.StringType,
        Name = name,
        Description = description,
        NameLocalizations = new Dictionary<string, string> { [Zh] = nameZh },
        DescriptionLocalizations = new Dictionary<string, string> { [Zh] = descriptionZh },
        Required = required,
        Autocomplete = autocomplete ? true : null,
        MinLength = 1,
        MaxLength = maxLength,
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
