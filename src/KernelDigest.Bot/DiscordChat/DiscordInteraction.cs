using System.Globalization;
using System.Text.Json;
using KernelDigest.Core;

namespace KernelDigest.Bot.DiscordChat;

/// <summary>Interaction types Discord POSTs to the endpoint.</summary>
public static class InteractionType
{
    public const int Ping = 1;
    public const int ApplicationCommand = 2;
    public const int MessageComponent = 3;
    public const int Autocomplete = 4;
    public const int ModalSubmit = 5;
}

/// <summary>The parts of an interaction the bot reads, taken from the JSON Discord sends (other fields are ignored).</summary>
public sealed record DiscordInteraction
{
    public required int Type { get; init; }
    public required string Id { get; init; }
    public required string Token { get; init; }

    /// <summary>The user's language (absent on PING); the guild's is the fallback.</summary>
    public string? Locale { get; init; }

    public string? GuildLocale { get; init; }

    /// <summary>The channel the interaction came from (<c>channel_id</c>, or <c>channel.id</c>): a subscription's key.</summary>
    public string? ChannelId { get; init; }

    /// <summary>The server, absent in a DM.</summary>
    public string? GuildId { get; init; }

    /// <summary>Who invoked it: <c>member.user.id</c> in a server, <c>user.id</c> in a DM.</summary>
    public string? UserId { get; init; }

    /// <summary>The invoking member's permissions in the channel, a decimal bitfield (<c>member.permissions</c>); absent in a DM.</summary>
    public string? MemberPermissions { get; init; }

    /// <summary>The command's default (never localised) name, for commands and autocomplete.</summary>
    public string? CommandName { get; init; }

    /// <summary>Top-level option values as text, by their default names.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();

    /// <summary>The option being typed, for autocomplete.</summary>
    public string? Focused { get; init; }

    /// <summary>The clicked button's custom_id, for message components.</summary>
    public string? CustomId { get; init; }

    public Lang Lang => Langs.FromCode(Locale ?? GuildLocale);

    /// <summary>Reads an interaction; null when the JSON lacks what every interaction has (type, id, token).</summary>
    public static DiscordInteraction? Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("type", out var typeElement) || !typeElement.TryGetInt32(out var type)
            || Text(root, "id") is not { } id || Text(root, "token") is not { } token)
            return null;
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        string? focused = null;
        string? name = null;
        string? customId = null;
        if (root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object)
        {
            name = Text(data, "name");
            customId = Text(data, "custom_id");
            if (data.TryGetProperty("options", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var option in list.EnumerateArray())
                {
                    if (Text(option, "name") is not { } optionName || !option.TryGetProperty("value", out var value))
                        continue;
                    options[optionName] = value.ValueKind switch
                    {
                        JsonValueKind.String => value.GetString()!,
                        JsonValueKind.Number => value.GetRawText(),
                        JsonValueKind.True => "true",
                        JsonValueKind.False => "false",
                        _ => "",
                    };
                    if (option.TryGetProperty("focused", out var f) && f.ValueKind == JsonValueKind.True)
                        focused = optionName;
                }
            }
        }
        string? userId = null;
        string? permissions = null;
        if (root.TryGetProperty("member", out var member) && member.ValueKind == JsonValueKind.Object)
        {
            permissions = Text(member, "permissions");
            if (member.TryGetProperty("user", out var memberUser) && memberUser.ValueKind == JsonValueKind.Object)
                userId = Text(memberUser, "id");
        }
        if (userId is null && root.TryGetProperty("user", out var user) && user.ValueKind == JsonValueKind.Object)
            userId = Text(user, "id");
        var channelId = Text(root, "channel_id");
        if (channelId is null && root.TryGetProperty("channel", out var channel) && channel.ValueKind == JsonValueKind.Object)
            channelId = Text(channel, "id");
        return new DiscordInteraction
        {
            Type = type,
            Id = id,
            Token = token,
            Locale = Text(root, "locale"),
            GuildLocale = Text(root, "guild_locale"),
            ChannelId = channelId,
            GuildId = Text(root, "guild_id"),
            UserId = userId,
            MemberPermissions = permissions,
            CommandName = name,
            Options = options,
            Focused = focused,
            CustomId = customId,
        };
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    // Not the generated record ToString: that would print the token, a secret for 15 minutes, into any log line.
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"interaction {Id} type {Type} {CommandName ?? CustomId ?? ""}");
}
