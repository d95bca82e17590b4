using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Subsystems;

namespace KernelDigest.Bot.DiscordChat;

/// <summary>
/// Suggestions while an option is typed, by what the command table says the option holds: subsystems (by key, alias
/// or name, those that start with the typed text first), the loaded months, or the channel's own follows and watches
/// (their numbers as values, what /unfollow and /unwatch take).
/// </summary>
public sealed class DiscordAutocomplete(ReportLibrary library, Follows.FollowStore? follows = null, Follows.WatchStore? watches = null)
{
    /// <summary>Discord shows at most 25 autocomplete choices.</summary>
    public const int MaxChoices = 25;

    private const int MaxChoiceLength = 100;

    public async Task<AutocompleteData> ForAsync(DiscordInteraction interaction, CancellationToken ct)
    {
        var typed = interaction.Focused is { } focused && interaction.Options.TryGetValue(focused, out var value) ? value.Trim() : "";
        var option = CommandTable.Find(interaction.CommandName ?? "")?.Options.FirstOrDefault(o => o.Name == interaction.Focused);
        var channel = new ChatAddress(Platform.Discord, interaction.ChannelId ?? "-");
        var choices = option?.Suggest switch
        {
            OptionSuggest.Subsystem => Subsystems(typed, interaction.Lang),
            OptionSuggest.Month => Months(typed),
            OptionSuggest.Follow when follows is not null =>
                Numbered((await follows.ListAsync(channel, ct)).Select(f => $"{f.Title} ({f.LatestLabel})"), typed),
            OptionSuggest.Watch when watches is not null =>
                Numbered((await watches.ListAsync(channel, ct)).Select(w => $"{w.Query} ({w.Inbox})"), typed),
            _ => [],
        };
        return new AutocompleteData(choices);
    }

    /// <summary>"2 · title" choices worth "2", those whose text holds what was typed (or whose number it is).</summary>
    private static List<AutocompleteChoice> Numbered(IEnumerable<string> names, string typed) =>
        [.. names
            .Select((name, i) => (Number: (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), Name: name))
            .Where(x => typed.Length == 0 || x.Number == typed || x.Name.Contains(typed, StringComparison.OrdinalIgnoreCase))
            .Take(MaxChoices)
            .Select(x => new AutocompleteChoice(TextUtil.Truncate($"{x.Number} · {x.Name}", MaxChoiceLength), x.Number))];

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
