using KernelDigest.Core.Commands;

namespace KernelDigest.Bot.DiscordChat;

/// <summary>
/// Turns an interaction into the dispatcher's <see cref="Inbound"/>: a slash command's options become the command's
/// argument text in the command table's order, a button its page token. The chat is the channel the interaction came
/// from; a thread is a channel of its own, so a subscription made in a thread is that thread's.
/// </summary>
public static class DiscordInbound
{
    /// <summary>Any of these lets a member change the channel's state (Administrator implies the others).</summary>
    public const ulong AdminPermissions = DiscordPermissions.Administrator | DiscordPermissions.ManageGuild | DiscordPermissions.ManageChannels;

    public static Inbound From(DiscordInteraction interaction)
    {
        var input = new Inbound
        {
            Chat = new ChatAddress(Platform.Discord, interaction.ChannelId ?? "-"),
            Kind = interaction.GuildId is null ? ChatKind.Private : ChatKind.Group,
            UserId = interaction.UserId,
            Lang = interaction.Lang,
            // The member's permissions in this channel ride in the interaction itself: no request to ask.
            IsAdmin = _ => Task.FromResult(DiscordPermissions.HasAny(interaction.MemberPermissions, AdminPermissions)),
        };
        if (interaction.Type == InteractionType.MessageComponent)
            return input with { PageToken = interaction.CustomId ?? "" };
        var name = interaction.CommandName ?? "help";
        var command = CommandTable.Find(name) is { } spec
            ? ParsedCommand.FromOptions(spec.Name, CommandTable.ArgumentsFrom(spec, interaction.Options))
            : new ParsedCommand(name.ReplaceLineEndings(" "), "");
        return input with { Command = command };
    }
}
