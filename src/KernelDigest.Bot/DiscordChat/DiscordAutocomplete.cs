using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Subsystems;

namespace KernelDigest.Bot.DiscordChat;

/// <summary>
/// Suggestions while an option is typed, by what the command table says the option holds: subsystems (by key, alias
/// or name, those that start with the typed text first) or the loaded months.
/// </summary>
public sealed class DiscordAutocomplete(ReportLibrary library)
{
    /// <summary>Discord shows at most 25 autocomplete choices.</summary>
    public const int MaxChoices = 25;

    private const int MaxChoiceLength = 100;

    public AutocompleteData For(DiscordInteraction interaction)
    {
        var typed = interaction.Focused is { } focused && interaction.Options.TryGetValue(focused, out var value) ? value.Trim() : "";
        var option = CommandTable.Find(interaction.CommandName ?? "")?.Options.FirstOrDefault(o => o.Name == interaction.Focused);
        var choices = option?.Suggest switch
        {
            OptionSuggest.Subsystem => Subsystems(typed, interaction.Lang),
            OptionSuggest.Month => Months(typed),
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
}
