using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace KernelDigest.Core.Subsystems;

/// <summary>A kernel area in the taxonomy: canonical key, display names, and every alias users or reports use for it.</summary>
public sealed record Subsystem(string Key, string NameZh, string NameEn, IReadOnlyList<string> Aliases)
{
    public string Name(Lang lang) => lang == Lang.En ? NameEn : NameZh;

    /// <summary>Where its patches are posted: the lore inboxes (and optional query terms) a draft searches.</summary>
    public IReadOnlyList<LoreSource> Lore { get; init; } = [];
}

/// <summary>A lore inbox ("linux-fsdevel") and optional search terms that narrow it ("dfn:fs/").</summary>
public sealed record LoreSource(string Inbox, string? Query = null);

/// <summary>
/// The subsystem taxonomy from <c>config/subsystems.yaml</c>. Maps a report's section headings and what users type
/// ("kvm", "文件系统", "fs") to one canonical key.
/// </summary>
public sealed class SubsystemCatalog
{
    /// <summary>The key given to sections no alias matches.</summary>
    public const string OtherKey = "other";

    private readonly Dictionary<string, Subsystem> _byAlias = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(string Alias, Subsystem Subsystem)> _aliasesLongestFirst;

    public SubsystemCatalog(IEnumerable<Subsystem> subsystems)
    {
        All = [.. subsystems];
        foreach (var s in All)
        {
            foreach (var alias in s.Aliases.Append(s.Key).Append(s.NameZh).Append(s.NameEn))
                _byAlias.TryAdd(Normalize(alias), s);
        }
        _aliasesLongestFirst = [.. _byAlias.Select(p => (p.Key, p.Value)).OrderByDescending(p => p.Key.Length)];
    }

    public IReadOnlyList<Subsystem> All { get; }

    public Subsystem? Find(string key) => All.FirstOrDefault(s => s.Key.Equals(key, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Resolves a heading or user input: an exact alias first, then the longest alias the text contains
    /// ("文件系统和Block Layer" → filesystems). Null when nothing matches.
    /// </summary>
    public Subsystem? Resolve(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var normalized = Normalize(text);
        if (_byAlias.TryGetValue(normalized, out var exact))
            return exact;
        foreach (var (alias, subsystem) in _aliasesLongestFirst)
        {
            // Short Latin aliases ("io", "mm") only match as whole words, so "Tag application" is not "io".
            if (alias.Length >= 2 && ContainsAlias(normalized, alias))
                return subsystem;
        }
        return null;
    }

    private static bool ContainsAlias(string text, string alias)
    {
        var start = 0;
        while ((start = text.IndexOf(alias, start, StringComparison.OrdinalIgnoreCase)) >= 0)
        {
            var end = start + alias.Length;
            var latin = alias.Any(char.IsAsciiLetter);
            if (!latin || (IsBoundary(text, start - 1) && IsBoundary(text, end)))
                return true;
            start++;
        }
        return false;
    }

    private static bool IsBoundary(string text, int index) =>
        index < 0 || index >= text.Length || !char.IsAsciiLetterOrDigit(text[index]);

    private static string Normalize(string text) => text.Trim().Replace('_', '-').ToLowerInvariant();

    /// <summary>Loads the taxonomy YAML: <c>subsystems: [{key, zh, en, aliases: [...]}]</c>.</summary>
    public static SubsystemCatalog Load(string path)
    {
        var doc = new DeserializerBuilder()
            .WithNamingConvention(UnderscoredNamingConvention.Instance)
            .Build()
            .Deserialize<TaxonomyFile>(File.ReadAllText(path)) ?? new TaxonomyFile();
        var list = doc.Subsystems.Select(s => new Subsystem(
            s.Key ?? throw new InvalidDataException($"{path}: a subsystem has no key."),
            s.Zh ?? s.Key, s.En ?? s.Key, s.Aliases ?? [])
        {
            Lore = [.. (s.Lore ?? []).Select(l => new LoreSource(
                l.Inbox ?? throw new InvalidDataException($"{path}: a lore source of '{s.Key}' has no inbox."),
                string.IsNullOrWhiteSpace(l.Query) ? null : l.Query.Trim()))],
        });
        return new SubsystemCatalog(list);
    }

    private sealed class TaxonomyFile
    {
        public List<TaxonomyEntry> Subsystems { get; set; } = [];
    }

    private sealed class TaxonomyEntry
    {
        public string? Key { get; set; }
        public string? Zh { get; set; }
        public string? En { get; set; }
        public List<string>? Aliases { get; set; }
        public List<LoreSourceEntry>? Lore { get; set; }
    }

    private sealed class LoreSourceEntry
    {
        public string? Inbox { get; set; }
        public string? Query { get; set; }
    }
}
