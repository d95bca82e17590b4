using KernelDigest.Bot.Subscriptions;

namespace KernelDigest.Bot.DiscordChat;

/// <summary>
/// /subscribe, /unsubscribe and /subscription on Discord. A subscription belongs to the channel the command was used
/// in; changing it takes Administrator, Manage Server or Manage Channels, read from the member's permissions in that
/// channel as the interaction carries them (no REST call). The answer is <see cref="SubscriptionCommands"/>' reply,
/// rendered as embeds. These commands read and write the store, so they go through the deferral race like any answer.
/// </summary>
public sealed class DiscordSubscriptions(SubscriptionCommands commands)
{
    /// <summary>Any of these lets a member change the channel's subscription.</summary>
    public const ulong AdminPermissions = DiscordPermissions.Administrator | DiscordPermissions.ManageGuild | DiscordPermissions.ManageChannels;

    public const string Platform = "discord";

    /// <summary>True for a slash command this class answers.</summary>
    public static bool Handles(DiscordInteraction interaction) =>
        interaction.Type == InteractionType.ApplicationCommand && interaction.CommandName is { } name && SubscriptionCommands.Handles(name);

    /// <summary>Whether the member may change the channel's subscription (false outside a server: there is no member).</summary>
    public static bool IsAdmin(DiscordInteraction interaction) => DiscordPermissions.HasAny(interaction.MemberPermissions, AdminPermissions);

    public async Task<IReadOnlyList<DiscordMessage>> AnswerAsync(DiscordInteraction interaction, CancellationToken ct)
    {
        if (interaction.ChannelId is not { Length: > 0 } channelId)
            return [DiscordInteractions.ErrorMessage(interaction.Lang)];
        var command = interaction.CommandName!;
        var arguments = command == "subscribe" && interaction.Options.TryGetValue("subsystems", out var value) ? value.ReplaceLineEndings(" ").Trim() : "";
        var reply = await commands.HandleAsync(
            new SubscriptionRequest(Platform, channelId, interaction.UserId, IsAdmin(interaction), command, arguments, interaction.Lang), ct);
        return DiscordRenderer.Render(reply);
    }
}
