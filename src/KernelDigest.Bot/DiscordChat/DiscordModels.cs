using System.Text.Json;
using System.Text.Json.Serialization;

namespace KernelDigest.Bot.DiscordChat;

/// <summary>
/// The few Discord wire objects the bot writes (messages, embeds, buttons, interaction responses, command
/// definitions), as records serialized with <see cref="DiscordJson.Options"/> (snake_case, nulls left out).
/// </summary>
public static class DiscordJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>A message: the body of Create Message, of an interaction response's data, and of a webhook edit or follow-up.</summary>
public sealed record DiscordMessage
{
    public string? Content { get; init; }

    public IReadOnlyList<DiscordEmbed> Embeds { get; init; } = [];

    /// <summary>Action rows (type 1) of buttons; an empty list removes the buttons of a message being edited.</summary>
    public IReadOnlyList<DiscordActionRow> Components { get; init; } = [];

    /// <summary>Always "parse nothing": report and user text must never ping @everyone, @here, a role or a user.</summary>
    public DiscordAllowedMentions AllowedMentions { get; init; } = DiscordAllowedMentions.None;

    public int? Flags { get; init; }
}

public sealed record DiscordAllowedMentions(IReadOnlyList<string> Parse)
{
    public static DiscordAllowedMentions None { get; } = new([]);
}

public sealed record DiscordEmbed
{
    public string? Title { get; init; }

    /// <summary>Where the title links: an entry's page in the web archive, when the embed shows one entry.</summary>
    public string? Url { get; init; }
    public string? Description { get; init; }
    public int? Color { get; init; }
    public IReadOnlyList<DiscordEmbedField>? Fields { get; init; }
    public DiscordEmbedFooter? Footer { get; init; }
}

public sealed record DiscordEmbedField(string Name, string Value, bool Inline = false);

public sealed record DiscordEmbedFooter(string Text);

public sealed record DiscordActionRow(IReadOnlyList<DiscordButton> Components)
{
    public int Type => 1;
}

public sealed record DiscordButton
{
    public const int Primary = 1;
    public const int Secondary = 2;
    public const int Link = 5;

    public int Type => 2;
    public required int Style { get; init; }
    public required string Label { get; init; }

    /// <summary>For non-link buttons: what comes back in the MESSAGE_COMPONENT interaction (at most 100 characters).</summary>
    public string? CustomId { get; init; }

    /// <summary>For link buttons (style 5).</summary>
    public string? Url { get; init; }

    public bool? Disabled { get; init; }
}

/// <summary>Interaction callback types (what the endpoint answers).</summary>
public static class InteractionCallback
{
    public const int Pong = 1;
    public const int ChannelMessage = 4;
    public const int DeferredChannelMessage = 5;
    public const int DeferredUpdateMessage = 6;
    public const int UpdateMessage = 7;
    public const int AutocompleteResult = 8;
}

/// <summary>The endpoint's answer: a callback type and its data (a <see cref="DiscordMessage"/> or <see cref="AutocompleteData"/>).</summary>
public sealed record InteractionResponse(int Type, object? Data = null);

public sealed record AutocompleteData(IReadOnlyList<AutocompleteChoice> Choices);

public sealed record AutocompleteChoice(string Name, string Value);

/// <summary>A slash command definition for bulk overwrite.</summary>
public sealed record DiscordCommand
{
    public int Type => 1;
    public required string Name { get; init; }
    public required string Description { get; init; }
    public IReadOnlyDictionary<string, string>? NameLocalizations { get; init; }
    public IReadOnlyDictionary<string, string>? DescriptionLocalizations { get; init; }
    public IReadOnlyList<DiscordCommandOption>? Options { get; init; }

    /// <summary>
    /// Who sees the command by default: a permission bitfield as a decimal string (null: everyone). Server admins can
    /// override it under Integrations, so the bot still checks the member's permissions itself.
    /// </summary>
    public string? DefaultMemberPermissions { get; init; }

    /// <summary>False hides the command in DMs (deprecated by <see cref="Contexts"/>, which wins when both are sent).</summary>
    public bool? DmPermission { get; init; }

    /// <summary>Where the command can be used: 0 guild, 1 bot DM, 2 private channel (null: Discord's default).</summary>
    public IReadOnlyList<int>? Contexts { get; init; }
}

/// <summary>Discord permission bits the bot looks at (the values of the <c>permissions</c> bitfield).</summary>
public static class DiscordPermissions
{
    public const ulong Administrator = 1UL << 3;
    public const ulong ManageChannels = 1UL << 4;
    public const ulong ManageGuild = 1UL << 5;

    /// <summary>The interaction context "guild" (commands usable in servers only).</summary>
    public const int GuildContext = 0;

    /// <summary>Whether a decimal permission bitfield (as Discord sends it) has any of <paramref name="bits"/>.</summary>
    public static bool HasAny(string? permissions, ulong bits)
    {
        // Discord's bitfield may grow past 64 bits: read it as a big integer; the bits asked about are all low ones.
        if (string.IsNullOrEmpty(permissions) || permissions.Length > 40 || !permissions.All(char.IsAsciiDigit)
            || !System.Numerics.BigInteger.TryParse(permissions, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
            return false;
        return !(value & bits).IsZero;
    }
}

public sealed record DiscordCommandOption
{
    public const int StringType = 3;

    public required int Type { get; init; }
    public required string Name { get; init; }
    public required string Description { get; init; }
    public IReadOnlyDictionary<string, string>? NameLocalizations { get; init; }
    public IReadOnlyDictionary<string, string>? DescriptionLocalizations { get; init; }
    public bool? Required { get; init; }
    public bool? Autocomplete { get; init; }
    public int? MinLength { get; init; }
    public int? MaxLength { get; init; }
}
