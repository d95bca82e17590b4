using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Search;
using KernelDigest.Core.Subsystems;
using Perfolizer.Horology;
using Perfolizer.Mathematics.OutlierDetection;

namespace KernelDigest.Benchmarks;

/// <summary>
/// Per-query latency: every measured iteration is exactly one query (invocation count 1, no forced GC between
/// iterations, no outlier removal), so the P50/P95/P99 columns are percentiles of single queries, GC pauses included.
/// The global setup runs the whole mix 40 times first, so the numbers are a warmed-up bot's, not a fresh process's.
/// </summary>
public sealed class PerQueryConfig : ManualConfig
{
    public PerQueryConfig()
    {
        AddJob(Job.Default
            .WithId("per-query")
            .WithLaunchCount(1)
            .WithWarmupCount(50)
            .WithIterationCount(300)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithGcForce(false)
            .WithOutlierMode(OutlierMode.DontRemove));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.P50, StatisticColumn.P95, new PercentileColumn(99), StatisticColumn.Max);
        SummaryStyle = SummaryStyle.Default.WithTimeUnit(TimeUnit.Microsecond);
    }
}

/// <summary>A percentile BenchmarkDotNet has no built-in column for (it stops at P95 and P100).</summary>
public sealed class PercentileColumn(int percentile) : IColumn
{
    public string Id => "P" + percentile.ToString(CultureInfo.InvariantCulture);
    public string ColumnName => Id;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Statistics;
    public int PriorityInCategory => 100 + percentile;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Time;
    public string Legend => $"Percentile {percentile} of single measurements";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var stats = summary[benchmarkCase]?.ResultStatistics;
        if (stats is null)
            return "NA";
        var unit = style.TimeUnit ?? TimeUnit.Microsecond;
        var value = TimeInterval.FromNanoseconds(stats.Percentiles.Percentile(percentile)).ToUnit(unit);
        var text = value.ToString("N1", style.CultureInfo);
        return style.PrintUnitsInContent ? text + " " + unit.Abbreviation : text;
    }

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;
}

/// <summary>The 10,000-entry library (100 months × 100 entries) shared by the search benchmarks, with its on-disk index cache.</summary>
internal static class BenchLibrary
{
    public static string Root { get; } = Path.Combine(Path.GetTempPath(), "kd-bench", "bdn");

    /// <summary>Generates the corpus into files, loads it as the bot does (files → library → cached index).</summary>
    public static ReportLibrary Load(int months = Corpus.DefaultMonths, int entries = Corpus.DefaultEntries)
    {
        var repo = Corpus.RepoRoot();
        var subsystems = Corpus.LoadSubsystems(repo);
        var glossary = Corpus.LoadGlossary(repo);
        var reports = Corpus.Generate(Corpus.LoadSeed(repo, subsystems), subsystems, months, entries, entries);
        var dir = Path.Combine(Root, $"reports-{months}x{entries}");
        Corpus.WriteTo(dir, reports);
        // The cache survives between benchmark processes: only the first one pays for the build.
        var library = new ReportLibrary(dir, subsystems, new PatchIndexFactory(glossary, subsystems, Path.Combine(Root, $"index-{months}x{entries}")));
        var snapshot = library.Current;
        if (snapshot.Errors.Count > 0)
            throw new InvalidOperationException("generated reports have errors: " + string.Join("; ", snapshot.Errors.Take(5)));
        if (snapshot.Index.Count != months * entries)
            throw new InvalidOperationException($"expected {months * entries} entries, indexed {snapshot.Index.Count}");
        return library;
    }
}

/// <summary>
/// <c>/patch</c> over 10,000 entries: through <see cref="Dispatcher.DispatchAsync"/> (parse, search, snippets, reply — what a
/// user waits for, minus the platform's rendering) and through <see cref="PatchIndex.Search"/> alone.
/// </summary>
[Config(typeof(PerQueryConfig))]
public class SearchBenchmarks
{
    private Dispatcher _router = null!;
    private PatchIndex _index = null!;
    private SubsystemCatalog _subsystems = null!;
    private Inbound[] _inputs = [];
    private PatchQuery[] _queries = [];
    private int _next;

    [ParamsSource(nameof(QueryCases))]
    public QueryCase Query { get; set; } = QueryMix.Cases[0];

    public static IEnumerable<QueryCase> QueryCases() => QueryMix.WithMix();

    [GlobalSetup]
    public void Setup()
    {
        var library = BenchLibrary.Load();
        _router = Routing.Create(library);
        _index = library.Current.Index;
        _subsystems = library.Subsystems;
        var texts = Query.IsMix ? QueryMix.Cases.Select(c => c.Text).ToArray() : [Query.Text];
        _inputs = [.. texts.Select(t => Routing.Input("/patch " + t))];
        _queries = [.. texts.Select(t => PatchQuery.Parse(t, _subsystems).Query ?? throw new InvalidOperationException("bad query " + t))];
        // Every query of the mix must find something, or it measures the empty path.
        foreach (var input in _inputs)
        {
            var reply = Routing.Answer(_router, input) ?? throw new InvalidOperationException("no reply to " + input.Text);
            if (reply.IsError || reply.Items.Count == 0)
                throw new InvalidOperationException($"'{input.Text}' finds nothing: {reply.Title}");
        }
        // Measure the steady state of a running bot: Lucene's code paths need hundreds of calls before tiered JIT
        // (tier 1, OSR) is done with them; a few dozen warm-up iterations leave the timings still falling 4×. A fixed
        // number of rounds was not enough either on a busy machine (the first half of the measured iterations ran 3×
        // slower than the second), so warm up for a time: the loop mode's timings are flat after a few seconds.
        var allInputs = QueryMix.Cases.Select(c => Routing.Input("/patch " + c.Text)).ToList();
        var allQueries = QueryMix.Cases.Select(c => PatchQuery.Parse(c.Text, _subsystems).Query!).ToList();
        var warm = System.Diagnostics.Stopwatch.StartNew();
        for (var round = 0; round < 40 || warm.Elapsed < TimeSpan.FromSeconds(6); round++)
        {
            for (var i = 0; i < allInputs.Count; i++)
            {
                Routing.Answer(_router, allInputs[i]);
                _index.Search(allQueries[i], 0, ReportCommands.PageSize);
            }
        }
        Thread.Sleep(TimeSpan.FromSeconds(1)); // let the background tier-1 compilations finish
    }

    [Benchmark(Description = "Dispatcher.DispatchAsync")]
    public Reply? Router() => Routing.Answer(_router, _inputs[_next++ % _inputs.Length]);

    [Benchmark(Description = "PatchIndex.Search")]
    public SearchResults IndexSearch() => _index.Search(_queries[_next++ % _queries.Length], 0, ReportCommands.PageSize);

    /// <summary>The same without MaxScore pruning, in the same run: what the pruning saves (each benchmark is a process of its own).</summary>
    [Benchmark(Description = "PatchIndex.Search, no pruning")]
    public SearchResults IndexSearchUnpruned()
    {
        _index.Pruning = false;
        return _index.Search(_queries[_next++ % _queries.Length], 0, ReportCommands.PageSize);
    }
}

/// <summary>
/// Index build time for 10,000 entries, in memory: the analysis and indexing a first start pays (the on-disk cache
/// adds the write and a fingerprint; the cold-start measurement of <c>ask</c> covers that).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
[MemoryDiagnoser]
public class IndexBuildBenchmarks
{
    private IReadOnlyList<Report> _reports = [];
    private SubsystemCatalog _subsystems = null!;
    private Glossary _glossary = null!;

    [GlobalSetup]
    public void Setup()
    {
        var repo = Corpus.RepoRoot();
        _subsystems = Corpus.LoadSubsystems(repo);
        _glossary = Corpus.LoadGlossary(repo);
        _reports = Corpus.Generate(Corpus.LoadSeed(repo, _subsystems), _subsystems);
    }

    [Benchmark(Description = "PatchIndexFactory.Open, 10,000 entries, RAM")]
    public int Build()
    {
        using var index = new PatchIndexFactory(_glossary, _subsystems).Open(_reports);
        return index.Count;
    }
}
