using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Subsystems;

namespace KernelDigest.Bot.DiscordChat;

/// <summary>
/// Maps interactions to the bot's commands: a slash command or a page button becomes the same text a chat user
/// would type ("/patch TDP MMU page:2") for <see cref="CommandRouter"/>, and the reply is rendered as embeds.
/// Autocomplete suggests subsystems and loaded months. No I/O.
/// </summary>
public sealed class DiscordCommandHandler(CommandRouter router, ReportLibrary library)
{
    /// <summary>Discord shows at most 25 autocomplete choices.</summary>
    public const int MaxChoices = 25;

    private const int MaxChoiceLength = 100;

    /// <summary>
    /// The messages that answer a slash command (the first is the response; the rest are follow-ups), or for a page
    /// button the page that replaces the message. Null when there is nothing to change (an unknown button).
    /// </summary>
    public IReadOnlyList<DiscordMessage>? Handle(DiscordInteraction interaction) => interaction.Type switch
    {
        InteractionType.ApplicationCommand => DiscordRenderer.Render(Answer(CommandText(interaction), interaction.Lang)),
        InteractionType.MessageComponent => Page(interaction),
        _ => null,
    };

    /// <summary>The chat text a slash command stands for.</summary>
    public static string CommandText(DiscordInteraction interaction)
    {
        string Option(string name) => interaction.Options.TryGetValue(name, out var value) ? OneLine(value) : "";

        var name = interaction.CommandName ?? "help";
        var text = name switch
        {
            "patch" => "/patch " + Option("query"),
            "subsystem" => $"/subsystem {Option("name")} {Option("month")}",
            "month" => "/month " + Option("month"),
            _ => "/" + OneLine(name),
        };
        return text.Trim();
    }

    private Reply Answer(string text, Lang lang) =>
        router.Handle(new ChatInput(text, lang)) ?? router.Handle(new ChatInput("/help", lang))!;

    private List<DiscordMessage>? Page(DiscordInteraction interaction)
    {
        if (!DiscordRenderer.TryReadPageId(interaction.CustomId, out var page, out var query))
            return null;
        query ??= DiscordRenderer.QueryFromTitle(interaction.MessageTitle);
        if (string.IsNullOrWhiteSpace(query))
            return null;
        // A page of results is one message: it replaces the page shown, in place.
        var reply = Answer($"/patch {OneLine(query)} page:{page}", interaction.Lang);
        return [DiscordRenderer.Render(reply)[0]];
    }

    /// <summary>Up to 25 suggestions for the option being typed: subsystems for "name", loaded months for "month".</summary>
    public AutocompleteData Autocomplete(DiscordInteraction interaction)
    {
        var typed = interaction.Focused is { } focused && interaction.Options.TryGetValue(focused, out var value) ? value.Trim() : "";
        var choices = (interaction.CommandName, interaction.Focused) switch
        {
            ("subsystem", "name") => Subsystems(typed, interaction.Lang),
            (_, "month") => Months(typed),
            _ => [],
        };
        return new AutocompleteData(choices);
    }

    private List<AutocompleteChoice> Subsystems(string typed, Lang lang)
    {
        var all = library.Subsystems.All;
        IEnumerable<Subsystem> matches = all;
        if (typed.Length > 0)
        {
            bool Starts(Subsystem s) => Names(s).Any(n => n.StartsWith(typed, StringComparison.OrdinalIgnoreCase));
            bool Contains(Subsystem s) => Names(s).Any(n => n.Contains(typed, StringComparison.OrdinalIgnoreCase));
            matches = all.Where(Starts).Concat(all.Where(s => !Starts(s) && Contains(s)));
        }
        return [.. matches.Take(MaxChoices).Select(s => new AutocompleteChoice(TextUtil.Truncate($"{s.Name(lang)} ({s.Key})", MaxChoiceLength), TextUtil.Truncate(s.Key, MaxChoiceLength)))];
    }

    private static IEnumerable<string> Names(Subsystem s) => s.Aliases.Append(s.Key).Append(s.NameZh).Append(s.NameEn);

    private List<AutocompleteChoice> Months(string typed) =>
        [.. library.Current.Months
            .Select(m => m.ToString())
            .Where(m => typed.Length == 0 || m.Contains(typed, StringComparison.Ordinal))
            .Take(MaxChoices)
            .Select(m => new AutocompleteChoice(m, m))];

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
