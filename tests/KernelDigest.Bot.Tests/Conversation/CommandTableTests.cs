using KernelDigest.Bot.DiscordChat;
using KernelDigest.Bot.TelegramChat;
using KernelDigest.Core;
using KernelDigest.Core.Commands;

namespace KernelDigest.Bot.Tests.Conversation;

/// <summary>
/// One command table: every platform's menu and registration is derived from it, so a command added to the table
/// shows up everywhere, and none exists on one platform only.
/// </summary>
public sealed class CommandTableTests
{
    private static readonly string[] TableNames = [.. CommandTable.All.Select(c => c.Name)];

    [Fact]
    public void Discord_registers_exactly_the_commands_of_the_table_with_their_options_and_permissions()
    {
        var definitions = DiscordCommands.Definitions;

        Assert.Equal(TableNames, definitions.Select(d => d.Name));
        foreach (var (spec, definition) in CommandTable.All.Zip(definitions))
        {
            Assert.Equal(spec.Options.Select(o => o.Name), definition.Options?.Select(o => o.Name) ?? []);
            Assert.Equal(spec.Options.Select(o => o.Required), definition.Options?.Select(o => o.Required ?? false) ?? []);
            Assert.InRange(definition.Description.Length, 1, CommandTable.MaxSummaryLength);
            Assert.InRange(definition.DescriptionLocalizations!["zh-CN"].Length, 1, CommandTable.MaxSummaryLength);
            Assert.Equal(spec.Access == CommandAccess.ChatAdmins, definition.DefaultMemberPermissions is not null);
        }
    }

    [Theory]
    [InlineData(Lang.Zh)]
    [InlineData(Lang.En)]
    public void Telegram_menus_list_exactly_the_commands_of_the_table(Lang lang)
    {
        var menu = TelegramStartup.Menu(lang);

        Assert.Equal(TableNames, menu.Select(c => c.Command));
        Assert.All(menu, c => Assert.InRange(c.Description.Length, 3, 256));
        Assert.All(menu, c => Assert.Matches("^[a-z0-9_]{1,32}$", c.Command)); // what setMyCommands accepts
    }

    [Fact]
    public void Discord_options_map_onto_the_same_arguments_as_typed_text()
    {
        var subsystem = CommandTable.Find("subsystem")!;

        // Options arrive by name in any order; the table's order decides the text, as a user would type it.
        var text = CommandTable.ArgumentsFrom(subsystem, new Dictionary<string, string> { ["month"] = "2020-09", ["name"] = "kvm\nx" });

        Assert.Equal("kvm x 2020-09", text);
        Assert.Equal(ParsedCommand.Parse("/subsystem kvm x 2020-09", null), ParsedCommand.FromOptions("subsystem", text));
    }
}
