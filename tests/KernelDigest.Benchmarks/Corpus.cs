using System.Globalization;
using System.Text.RegularExpressions;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Search;
using KernelDigest.Core.Subsystems;

namespace KernelDigest.Benchmarks;

/// <summary>
/// A synthetic but realistic corpus for benchmarks: N monthly reports (2012-01 onward) whose entries recombine the
/// vocabulary of the seed report (config/reports/2020-09.md) — its titles, Chinese summary sentences, identifiers,
/// authors, changelogs and link shapes — deterministically (fixed <see cref="Random"/> seed), spread over the
/// taxonomy's real subsystems. Entry lengths follow the seed's own shapes (paragraphs × sentences).
/// </summary>
public static partial class Corpus
{
    public const int DefaultMonths = 100;
    public const int DefaultEntries = 100;
    public const int DefaultSeed = 20_200_901;

    public static readonly ReportMonth FirstMonth = new(2012, 1);

    /// <summary>The checkout root (the folder holding Bot.sln), found from the running binary or the working directory.</summary>
    public static string RepoRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Bot.sln")))
                    return dir.FullName;
            }
        }
        throw new InvalidOperationException("cannot find the repository root (Bot.sln) above " + AppContext.BaseDirectory);
    }

    public static SubsystemCatalog LoadSubsystems(string root) => SubsystemCatalog.Load(Path.Combine(root, "config", "subsystems.yaml"));

    public static Glossary LoadGlossary(string root) => Glossary.Load(Path.Combine(root, "config", "glossary.yaml"));

    public static Report LoadSeed(string root, SubsystemCatalog subsystems)
    {
        var path = Path.Combine(root, "config", "reports", "2020-09.md");
        var result = ReportMarkdown.Read(File.ReadAllText(path), path, subsystems);
        return result.Report ?? throw new InvalidOperationException("seed report does not load: " + string.Join("; ", result.Errors));
    }

    /// <summary>
    /// <paramref name="months"/> reports with between <paramref name="minEntries"/> and <paramref name="maxEntries"/>
    /// entries each (equal bounds: exactly that many). Same arguments, same corpus.
    /// </summary>
    public static IReadOnlyList<Report> Generate(Report seed, SubsystemCatalog subsystems, int months = DefaultMonths,
        int minEntries = DefaultEntries, int maxEntries = DefaultEntries, int randomSeed = DefaultSeed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(months);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minEntries);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, minEntries);
        var generator = new Generator(seed, subsystems, new Random(randomSeed));
        var reports = new List<Report>(months);
        for (var i = 0; i < months; i++)
            reports.Add(generator.Report(i, generator.Next(minEntries, maxEntries + 1)));
        return reports;
    }

    /// <summary>Writes one <c>YYYY-MM.md</c> per report (canonical format) and returns the paths.</summary>
    public static IReadOnlyList<string> WriteTo(string directory, IEnumerable<Report> reports)
    {
        Directory.CreateDirectory(directory);
        var paths = new List<string>();
        foreach (var report in reports)
        {
            var path = Path.Combine(directory, report.Month + ".md");
            var text = ReportMarkdown.Write(report);
            // Unchanged files are left alone so their timestamps (and any watcher) stay quiet.
            if (!File.Exists(path) || File.ReadAllText(path) != text)
                File.WriteAllText(path, text);
            paths.Add(path);
        }
        return paths;
    }

    /// <summary>Identifier-like words: KVM, PAGE_SIZE, blk-iocost, hv_ring_gpadl_send_offset, v5.9-rc2.</summary>
    [GeneratedRegex(@"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z0-9]*(?:[_\-\.][A-Za-z0-9]+)*(?![A-Za-z0-9_])")]
    private static partial Regex LatinWord();

    [GeneratedRegex(@"[^。！？；]+[。！？；]?")]
    private static partial Regex Sentence();

    [GeneratedRegex(@"v\d\.\d+-rc\d")]
    private static partial Regex KernelVersion();

    /// <summary>True for a word that reads as a kernel identifier rather than an English word.</summary>
    internal static bool IsIdentifier(string word) =>
        word.Length >= 2
        && (word.Contains('_', StringComparison.Ordinal) || word.Any(char.IsAsciiDigit)
            || word.Count(char.IsAsciiLetterUpper) >= 2 || (word.Contains('-', StringComparison.Ordinal) && word.Length > 3));

    private sealed class Generator
    {
        private static readonly string[] EnglishVerbs = ["Add", "Introduce", "Support", "Rework", "Fix", "Remove", "Enable", "Optimize", "Convert", "Implement"];
        private static readonly string[] LinkLabels = ["补丁", "补丁1", "补丁2", "参考链接1", "参考链接2", "[1]", "[2]"];
        private static readonly string[] MailHosts = ["kernel.org", "intel.com", "google.com", "redhat.com", "linaro.org", "amd.com", "suse.de", "huawei.com"];
        private static readonly string[] DocLinks =
        [
            "https://www.kernel.org/doc/html/latest/filesystems/zonefs.html",
            "https://www.amd.com/system/files/TechDocs/24593.pdf",
            "https://developer.amd.com/wp-content/resources/56421.pdf",
            "https://www.felixcloutier.com/x86/movdir64b",
            "https://software.intel.com/content/www/us/en/develop/download/intel-architecture-instruction-set-extensions-programming-reference.html",
        ];

        private const double IdentifierSwapRate = 0.85;

        private readonly Random _rng;
        private readonly Report _seed;
        private readonly List<ReportEntry> _shapes;
        private readonly List<string> _titles;
        private readonly List<string> _sentences;
        private readonly List<string> _identifiers;
        private readonly List<string> _changelogItems;
        private readonly List<string> _intros;
        private readonly List<string> _firstNames = [];
        private readonly List<string> _lastNames = [];
        private readonly List<(Subsystem Subsystem, double Weight, string[] Headings, string[] Latin)> _subsystems;
        private readonly HashSet<string> _usedTitles = new(StringComparer.OrdinalIgnoreCase);

        public Generator(Report seed, SubsystemCatalog catalog, Random rng)
        {
            _rng = rng;
            _seed = seed;
            var entries = seed.Entries.ToList();
            _shapes = entries;
            _titles = [.. entries.Select(e => e.Title)];
            _sentences = [.. entries.SelectMany(e => e.Summary).SelectMany(SplitSentences).Where(s => s.Length >= 8).Distinct()];
            _identifiers = [.. entries.SelectMany(e => e.Keywords)
                .Concat(entries.SelectMany(e => e.Summary.Append(e.Title)).SelectMany(t => LatinWord().Matches(t).Select(m => m.Value)))
                .Where(IsIdentifier).Distinct(StringComparer.Ordinal)];
            _changelogItems = [.. entries.SelectMany(e => e.Changelog).SelectMany(c => c.Items).Distinct()];
            _intros = [.. seed.Sections.SelectMany(s => s.Intro)];
            foreach (var author in entries.SelectMany(e => e.Authors).Distinct())
            {
                var parts = author.Split(' ', 2);
                _firstNames.Add(parts[0]);
                if (parts.Length == 2)
                    _lastNames.Add(parts[1]);
            }
            // Real subsystems, weighted roughly as monthly reports cover them (virtualization, fs, mm and arch lead).
            var weights = new Dictionary<string, double>
            {
                ["virtualization"] = 3, ["filesystems"] = 3, ["mm"] = 3, ["architecture"] = 2.5, ["scheduler"] = 2,
                ["networking"] = 2, ["drivers"] = 2, ["security"] = 1.5, ["tracing"] = 1.5, ["locking"] = 1.2,
                ["power"] = 1, ["core"] = 1, ["tooling"] = 1, ["testing"] = 0.8, ["rust"] = 0.6, ["community"] = 0.5,
            };
            _subsystems = [.. catalog.All.Select(s =>
            {
                // Headings as reports write them: the Chinese name, or a Chinese alias that resolves back to this subsystem.
                var headings = s.Aliases.Where(a => TextUtil.HasCjk(a) && catalog.Resolve(a)?.Key == s.Key).Prepend(s.NameZh).Distinct().ToArray();
                var latin = s.Aliases.Where(a => !TextUtil.HasCjk(a) && !a.Contains(' ', StringComparison.Ordinal) && a.Length >= 2).ToArray();
                return (s, weights.GetValueOrDefault(s.Key, 1.0), headings, latin);
            })];
        }

        public int Next(int min, int maxExclusive) => _rng.Next(min, maxExclusive);

        private T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];

        private bool Chance(double p) => _rng.NextDouble() < p;

        public Report Report(int index, int entryCount)
        {
            var month = new ReportMonth(FirstMonth.Year + (FirstMonth.Month - 1 + index) / 12, (FirstMonth.Month - 1 + index) % 12 + 1);
            var kernel = KernelFor(index);

            // Between 3 and 10 sections, more for longer reports; entries spread unevenly over them.
            var sectionCount = Math.Clamp(entryCount / 10 + _rng.Next(0, 3), 3, Math.Min(10, _subsystems.Count));
            var chosen = WeightedSample(sectionCount);
            var counts = new int[chosen.Count];
            for (var i = 0; i < entryCount; i++)
                counts[i < chosen.Count ? i : WeightedIndex(chosen.Select(c => c.Weight).ToList())]++;

            var sections = new List<ReportSection>();
            for (var s = 0; s < chosen.Count; s++)
            {
                var (subsystem, _, headings, latin) = chosen[s];
                var heading = Chance(0.7) ? subsystem.NameZh : Pick(headings);
                var intro = Chance(0.2) ? new List<string> { Paragraph(1 + _rng.Next(3), [.. latin.Take(3)], kernel) } : [];
                if (Chance(0.05))
                    intro.Add(Pick(_intros));
                var sectionEntries = new List<ReportEntry>();
                for (var e = 0; e < counts[s]; e++)
                    sectionEntries.Add(Entry(latin, kernel));
                sections.Add(new ReportSection { Heading = heading, Subsystem = subsystem.Key, Intro = intro, Entries = sectionEntries });
            }

            return new Report
            {
                Month = month,
                Issue = index + 1,
                Title = string.Create(CultureInfo.InvariantCulture, $"Linux阅码场 - Linux内核月报({month.Year}年{month.Month:D2}月)"),
                Contributors = [.. _seed.Contributors.OrderBy(_ => _rng.Next()).Take(1 + _rng.Next(_seed.Contributors.Count))],
                Source = _seed.Source,
                Preface = _seed.Preface,
                Sections = sections,
            };
        }

        private ReportEntry Entry(string[] subsystemWords, string kernel)
        {
            // The shape (paragraphs, sentences per paragraph, changelog, links, authors) of a random seed entry.
            var shape = Pick(_shapes);
            var keywords = new List<string>();
            if (subsystemWords.Length > 0)
                keywords.Add(Pick(subsystemWords));
            var wanted = 3 + _rng.Next(6);
            while (keywords.Count < wanted)
            {
                var id = Pick(_identifiers);
                if (!keywords.Contains(id, StringComparer.OrdinalIgnoreCase))
                    keywords.Add(id);
            }
            var title = Title(keywords);
            var summary = shape.Summary.Select(p => Paragraph(Math.Max(1, SplitSentences(p).Count() + _rng.Next(-1, 2)), keywords, kernel)).ToList();
            if (summary.Count == 0)
                summary.Add(Paragraph(2, keywords, kernel));

            var changelog = new List<VersionChange>();
            if (shape.Changelog.Count > 0 || Chance(0.05))
            {
                var to = 2 + _rng.Next(10);
                var arrow = Chance(0.5);
                for (var c = 0; c < 1 + _rng.Next(2) && to - c >= 2; c++)
                {
                    var v = to - c;
                    var label = arrow
                        ? string.Create(CultureInfo.InvariantCulture, $"v{v - 1} -> v{v}:")
                        : string.Create(CultureInfo.InvariantCulture, $"V{v - 1} -》V{v}的改变:");
                    var items = Enumerable.Range(0, 2 + _rng.Next(3)).Select(_ => Substitute(Pick(_changelogItems), keywords, kernel)).ToList();
                    changelog.Add(new VersionChange(label, items));
                }
            }

            var links = new List<ReportLink>();
            var linkCount = shape.Links.Count > 0 ? shape.Links.Count + _rng.Next(-1, 2) : Chance(0.3) ? 1 : 0;
            for (var l = 0; l < linkCount; l++)
                links.Add(Link());

            var authors = new List<string>();
            if (shape.Authors.Count > 0 || Chance(0.3))
            {
                for (var a = 0; a < (Chance(0.15) ? 2 : 1); a++)
                    authors.Add(Pick(_firstNames) + " " + Pick(_lastNames));
            }

            return new ReportEntry
            {
                Title = title,
                Authors = [.. authors.Distinct()],
                Keywords = keywords,
                Summary = summary,
                Changelog = changelog,
                Links = links,
            };
        }

        /// <summary>A seed title with its identifiers swapped for this entry's, sometimes with a subsystem prefix; unique.</summary>
        private string Title(List<string> keywords)
        {
            for (var attempt = 0; ; attempt++)
            {
                var template = Pick(_titles);
                // Each replaced identifier takes the next keyword (shuffled), so a title does not repeat one.
                var order = keywords.OrderBy(_ => _rng.Next()).ToList();
                var next = 0;
                var swapped = LatinWord().Replace(template, m => IsIdentifier(m.Value) || Chance(0.15) ? order[next++ % order.Count] : m.Value);
                var title = _rng.Next(4) switch
                {
                    0 => $"{keywords[0]}: {swapped}",
                    1 when !TextUtil.HasCjk(swapped) => $"{Pick(EnglishVerbs)} {string.Join(' ', keywords.Skip(1).Take(2))} {LastWords(swapped)}",
                    _ => swapped,
                };
                if (attempt >= 8)
                    title += string.Create(CultureInfo.InvariantCulture, $" v{2 + attempt - 8}");
                if (_usedTitles.Add(title))
                    return title;
            }
        }

        private string LastWords(string title)
        {
            var words = title.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return string.Join(' ', words.Skip(Math.Max(0, words.Length - 1 - _rng.Next(3))));
        }

        private string Paragraph(int sentences, IReadOnlyList<string> keywords, string kernel) =>
            string.Concat(Enumerable.Range(0, sentences).Select(_ => Substitute(Pick(_sentences), keywords, kernel)));

        /// <summary>
        /// Swaps most of a sentence's identifiers for this entry's keywords (so an identifier shows up mostly where it
        /// is a keyword, as in real reports), and kernel versions for the month's. With a lower rate the seed's own
        /// identifiers (TDP, MMU, KVM) end up in about half of all entries, far denser than a real archive.
        /// </summary>
        private string Substitute(string text, IReadOnlyList<string> keywords, string kernel)
        {
            text = KernelVersion().Replace(text, kernel);
            return keywords.Count == 0 ? text : LatinWord().Replace(text, m => IsIdentifier(m.Value) && Chance(IdentifierSwapRate) ? Pick(keywords) : m.Value);
        }

        private ReportLink Link()
        {
            var label = Chance(0.5) ? Pick(LinkLabels) : null;
            var url = _rng.Next(10) switch
            {
                < 5 => string.Create(CultureInfo.InvariantCulture, $"https://lwn.net/Articles/{400_000 + _rng.Next(600_000)}/"),
                < 9 => string.Create(CultureInfo.InvariantCulture, $"https://lore.kernel.org/lkml/{_rng.NextInt64():x16}.{_rng.Next():x8}@{Pick(MailHosts)}/"),
                _ => Pick(DocLinks),
            };
            return new ReportLink(url, label);
        }

        // Sentences are recombined, so each one ends in a stop of its own (the last of a seed paragraph may not).
        private static IEnumerable<string> SplitSentences(string paragraph) =>
            Sentence().Matches(paragraph).Select(m => m.Value.Trim()).Where(s => s.Length > 0)
                .Select(s => s[^1] is '。' or '！' or '？' or '；' or '.' or ':' or '：' ? s : s + "。");

        /// <summary>The kernel version being developed in the report's month (v3.3 in 2012-01, a release every ~2.3 months).</summary>
        private string KernelFor(int monthIndex)
        {
            var release = 3 + monthIndex * 10 / 23; // 3.3 ... 3.19, 4.0 ... 4.20, 5.x
            var (major, minor) = release <= 19 ? (3, release) : release <= 40 ? (4, release - 20) : (5, release - 41);
            return string.Create(CultureInfo.InvariantCulture, $"v{major}.{minor}-rc{1 + _rng.Next(7)}");
        }

        private List<(Subsystem Subsystem, double Weight, string[] Headings, string[] Latin)> WeightedSample(int count)
        {
            var pool = _subsystems.ToList();
            var chosen = new List<(Subsystem, double, string[], string[])>();
            while (chosen.Count < count && pool.Count > 0)
            {
                var i = WeightedIndex([.. pool.Select(p => p.Weight)]);
                chosen.Add(pool[i]);
                pool.RemoveAt(i);
            }
            return chosen;
        }

        private int WeightedIndex(List<double> weights)
        {
            var x = _rng.NextDouble() * weights.Sum();
            for (var i = 0; i < weights.Count; i++)
            {
                x -= weights[i];
                if (x < 0)
                    return i;
            }
            return weights.Count - 1;
        }
    }
}
