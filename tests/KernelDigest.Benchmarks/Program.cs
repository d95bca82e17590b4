using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using KernelDigest.Benchmarks;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Search;

// Modes (anything else goes to BenchmarkDotNet):
//   generate <dir> [months=100] [entries=100 | min-max]   report files, one per month, for cold-start runs
//   queries <file> [count=20000] [months=100]              message lines for `ask -` throughput
//   profile <reports-dir> <cache-dir>                      Stopwatch breakdown of what `ask` does at start
//   loop [seconds=20] [query]                              the query mix (or one query) over 10,000 entries in one thread:
//                                                          percentiles of the second half; for one query, where its time goes
//   explain <query>                                        each concept's variants (as Lucene queries) and their postings
//   analysis [chain]                                       the index build of 10,000 entries by analysis chain: time and
//                                                          bytes allocated by each, one thread, second of two passes
//   build [runs=4]                                         the whole index build of 10,000 entries in memory, as the bot
//                                                          does it: wall and CPU time, bytes allocated, collections
switch (args.FirstOrDefault())
{
    case "generate":
        return Generate(args);
    case "queries":
        return Queries(args);
    case "profile":
        return Profile(args);
    case "loop":
        return Loop(args);
    case "explain":
        return Explain(args);
    case "analysis":
        return AnalysisBreakdown(args.ElementAtOrDefault(1));
    case "build":
        return Build(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4);
    default:
        BenchmarkSwitcher.FromAssembly(typeof(Corpus).Assembly).Run(args);
        return 0;
}

static int Generate(string[] args)
{
    if (args.Length < 2)
        return Usage("generate <dir> [months] [entries | min-max]");
    var months = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : Corpus.DefaultMonths;
    var (min, max) = (Corpus.DefaultEntries, Corpus.DefaultEntries);
    if (args.Length > 3)
    {
        var range = args[3].Split('-');
        min = int.Parse(range[0], CultureInfo.InvariantCulture);
        max = range.Length > 1 ? int.Parse(range[1], CultureInfo.InvariantCulture) : min;
    }
    var repo = Corpus.RepoRoot();
    var subsystems = Corpus.LoadSubsystems(repo);
    var reports = Corpus.Generate(Corpus.LoadSeed(repo, subsystems), subsystems, months, min, max);
    var seed = Corpus.LoadSeed(repo, subsystems).Entries.ToList();
    var paths = Corpus.WriteTo(args[1], reports);
    var entries = reports.Sum(r => r.Entries.Count());
    var chars = reports.SelectMany(r => r.Entries).Sum(e => e.Summary.Sum(p => p.Length));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"wrote {paths.Count} reports, {entries} entries (mean summary {chars / Math.Max(1, entries)} chars; seed: {seed.Sum(e => e.Summary.Sum(p => p.Length)) / seed.Count}) to {Path.GetFullPath(args[1])}"));
    return 0;
}

static int Queries(string[] args)
{
    if (args.Length < 2)
        return Usage("queries <file> [count] [months]");
    var count = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20_000;
    var months = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : Corpus.DefaultMonths;
    File.WriteAllLines(args[1], QueryMix.Lines(count, months));
    Console.WriteLine($"wrote {count} query lines to {Path.GetFullPath(args[1])}");
    return 0;
}

static int Profile(string[] args)
{
    if (args.Length < 3)
        return Usage("profile <reports-dir> <cache-dir>");
    var total = Stopwatch.StartNew();
    var sw = Stopwatch.StartNew();
    void Step(string what)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what,-40} {sw.Elapsed.TotalMilliseconds,8:F1} ms"));
        sw.Restart();
    }
    var repo = Corpus.RepoRoot();
    var subsystems = Corpus.LoadSubsystems(repo);
    var glossary = Corpus.LoadGlossary(repo);
    Step("load subsystems.yaml + glossary.yaml");
    var (reports, errors) = ReportLibrary.ReadAll(args[1], subsystems);
    Step($"read + parse {reports.Count} reports ({errors.Count} errors)");
    var markdown = reports.Sum(r => ReportMarkdown.Write(r).Length);
    Step($"write all reports back to Markdown ({markdown / 1024} KiB; the index fingerprint does this)");
    var index = new PatchIndexFactory(glossary, subsystems, args[2]).Open(reports);
    Step($"open index ({index.Count} entries; fingerprint + open or build)");
    var library = new ReportLibrary(args[1], subsystems, new PatchIndexFactory(glossary, subsystems, args[2]));
    var router = Routing.Create(library);
    _ = library.Current;
    Step("same again via ReportLibrary (warm JIT)");
    var reply = Routing.Answer(router, Routing.Input("/patch TDP MMU"));
    Step("first /patch TDP MMU");
    var text = PlainText.Render(reply!);
    Step($"render ({text.Length} chars)");
    for (var i = 0; i < 200; i++)
        Routing.Answer(router, Routing.Input(i % 2 == 0 ? "/patch TDP MMU" : "/patch 总线锁"));
    Step("200 more queries");

    // Per query: median of 50 runs of each stage (build the query's concepts, search, whole router call).
    var snapshot = library.Current;
    Console.WriteLine($"{"query",-40} {"concepts",9} {"search",9} {"router",9}  (median ms of 50)");
    foreach (var c in QueryMix.Cases)
    {
        var parsed = PatchQuery.Parse(c.Text, library.Subsystems).Query!;
        var input = Routing.Input("/patch " + c.Text);
        double Median(Action action)
        {
            var times = new List<double>();
            for (var i = 0; i < 50; i++)
            {
                var t = Stopwatch.GetTimestamp();
                action();
                times.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
            times.Sort();
            return times[times.Count / 2];
        }
        static long Allocated(Action action)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            action();
            return (GC.GetAllocatedBytesForCurrentThread() - before) / 1024;
        }
        var concepts = Median(() => snapshot.Index.Concepts(parsed.Text));
        var search = Median(() => snapshot.Index.Search(parsed, 0, ReportCommands.PageSize));
        var routed = Median(() => Routing.Answer(router, input));
        var conceptsKb = Allocated(() => snapshot.Index.Concepts(parsed.Text));
        var searchKb = Allocated(() => snapshot.Index.Search(parsed, 0, ReportCommands.PageSize));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{c.ToString(),-40} {concepts,9:F3} {search,9:F3} {routed,9:F3}   alloc KB: concepts {conceptsKb}, search {searchKb}"));
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"total",-40} {total.Elapsed.TotalMilliseconds,8:F1} ms"));

    // How dense the posting lists are: entries containing some query words, out of all entries.
    var folder = Directory.EnumerateDirectories(args[2]).First(d => !d.Contains(".tmp-", StringComparison.Ordinal));
    using (var reader = Lucene.Net.Index.DirectoryReader.Open(Lucene.Net.Store.FSDirectory.Open(folder)))
    {
        foreach (var (field, word) in new[] { ("body_id", "kvm"), ("body_id", "mmu"), ("body_id", "tdp"), ("body_id", "bus"), ("body_id", "lock"),
            ("body_id", "rwf_noappend"), ("title_id", "mmu"), ("body_zh", "虚拟机"), ("body_zh", "总线") })
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"docFreq {field}:{word} = {reader.DocFreq(new Lucene.Net.Index.Term(field, word))} of {reader.NumDocs}"));
        }
    }
    index.Dispose();
    return 0;
}

static int AnalysisBreakdown(string? only)
{
    var repo = Corpus.RepoRoot();
    var subsystems = Corpus.LoadSubsystems(repo);
    var glossary = Corpus.LoadGlossary(repo);
    var reports = Corpus.Generate(Corpus.LoadSeed(repo, subsystems), subsystems);
    var entries = reports.SelectMany(r => r.Sections.SelectMany(s => s.Entries.Select(e => (s, e)))).ToList();
    var titles = entries.Select(x => x.e.Title).ToList();
    var summaries = entries.Select(x => string.Join('\n', x.e.Summary)).ToList();
    var changelogs = entries.Select(x => string.Join('\n', x.e.Changelog.SelectMany(c => c.Items.Prepend(c.Label)))).ToList();
    var headings = entries.Select(x => string.Join(' ', x.s.Heading, x.s.Subsystem)).ToList();
    var phrases = Analysis.GlossaryPhrases(glossary);
    var dictionary = new Lucene.Net.Analysis.Util.CharArraySet(Analysis.Version, summaries.SelectMany(t => t.Split(' ')).Where(w => w.Length is >= 3 and <= 20 && w.All(char.IsAsciiLetter)).Select(w => w.ToLowerInvariant()).Distinct().ToList(), false);
    var chains = new (string Name, Lucene.Net.Analysis.Analyzer Analyzer)[]
    {
        ("SmartCn", Analysis.ChineseAnalyzer),
        ("SmartCn + glossary phrases", Analysis.ChineseWithPhrases(phrases)),
        ("identifiers", Analysis.Identifiers(dictionary)),
        ("identifiers + phrases", Analysis.Identifiers(dictionary, phrases)),
        ("prefixes", Analysis.Prefixes),
    };
    var texts = new (string Name, List<string> Texts)[] { ("title", titles), ("summary", summaries), ("changelog", changelogs), ("heading", headings) };
    Console.WriteLine($"{entries.Count} entries; summary {summaries.Sum(t => t.Length) / 1024} KiB, changelog {changelogs.Sum(t => t.Length) / 1024} KiB");
    foreach (var (name, analyzer) in chains.Where(c => only is null || c.Name == only))
    {
        foreach (var (what, list) in texts)
        {
            (double Ms, long Mb, long Tokens) Pass()
            {
                var bytes = GC.GetAllocatedBytesForCurrentThread();
                var t = Stopwatch.GetTimestamp();
                long tokens = 0;
                foreach (var text in list)
                {
                    using var stream = analyzer.GetTokenStream("f", text);
                    stream.Reset();
                    while (stream.IncrementToken())
                        tokens++;
                    stream.End();
                }
                return (Stopwatch.GetElapsedTime(t).TotalMilliseconds, (GC.GetAllocatedBytesForCurrentThread() - bytes) >> 20, tokens);
            }
            Pass();
            var (ms, mb, n) = Pass();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-28} {what,-10} {ms,8:F0} ms {mb,7} MiB {n,9} tokens"));
        }
    }
    return 0;
}

static int Loop(string[] args)
{
    var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 20;
    var library = BenchLibrary.Load();
    var router = Routing.Create(library);
    var texts = args.Length > 2 ? [args[2]] : QueryMix.Cases.Select(c => c.Text).ToArray();
    var inputs = texts.Select(t => Routing.Input("/patch " + t)).ToArray();
    var clock = Stopwatch.StartNew();
    var times = new List<double>(1 << 20);
    var (gc0, gc1, gc2, bytes, half, paused) = (0, 0, 0, 0L, -1, TimeSpan.Zero);
    for (var i = 0; clock.Elapsed.TotalSeconds < seconds; i++)
    {
        if (half < 0 && clock.Elapsed.TotalSeconds >= seconds / 2)
            (half, gc0, gc1, gc2, bytes, paused) = (i, GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetAllocatedBytesForCurrentThread(), GC.GetTotalPauseDuration());
        var t = Stopwatch.GetTimestamp();
        Routing.Answer(router, inputs[i % inputs.Length]);
        times.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
    }
    // The second half of the time only: the first is warm-up (tiered JIT).
    var steady = times.Skip(half).Order().ToList();
    double P(double p) => steady[(int)Math.Min(steady.Count - 1, p * steady.Count)];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{times.Count} queries; second half ({steady.Count}): p50 {P(0.5):F3} ms, p95 {P(0.95):F3} ms, p99 {P(0.99):F3} ms, " +
        $"{(GC.GetAllocatedBytesForCurrentThread() - bytes) / steady.Count / 1024} KB/query, GCs {GC.CollectionCount(0) - gc0}/{GC.CollectionCount(1) - gc1}/{GC.CollectionCount(2) - gc2} pausing {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:F0} ms in all"));
    if (texts.Length == 1)
    {
        // Where one query's time goes, warmed up: median of 300 runs of each stage.
        var index = library.Current.Index;
        var parsed = PatchQuery.Parse(texts[0], library.Subsystems).Query!;
        double Median(Action action)
        {
            var runs = new double[300];
            for (var i = 0; i < runs.Length; i++)
            {
                var t = Stopwatch.GetTimestamp();
                action();
                runs[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            }
            Array.Sort(runs);
            return runs[runs.Length / 2];
        }
        static long Kb(Action action)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            action();
            return (GC.GetAllocatedBytesForCurrentThread() - before) / 1024;
        }
        Action concepts = () => index.Concepts(parsed.Text, fuzzy: false), search = () => index.Search(parsed, 0, ReportCommands.PageSize),
            routed = () => Routing.Answer(router, inputs[0]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  concepts {Median(concepts):F3} ms {Kb(concepts)} KB, search {Median(search):F3} ms {Kb(search)} KB, router {Median(routed):F3} ms {Kb(routed)} KB"));
    }
    return 0;
}

static int Explain(string[] args)
{
    var library = BenchLibrary.Load();
    var index = library.Current.Index;
    var searcher = new Lucene.Net.Search.IndexSearcher(index.Reader);
    foreach (var fuzzy in new[] { false, true })
    {
        Console.WriteLine($"fuzzy={fuzzy}");
        foreach (var concept in index.Concepts(args[1], fuzzy))
        {
            Console.WriteLine($"  concept {string.Join('|', concept.Surfaces)}");
            foreach (var v in concept.Variants)
            {
                var rewritten = searcher.Rewrite(v);
                var terms = new HashSet<Lucene.Net.Index.Term>();
                rewritten.ExtractTerms(terms);
                var postings = terms.Sum(t => (long)index.Reader.DocFreq(t));
                Console.WriteLine($"    {postings,6} postings  {rewritten.ToString()[..Math.Min(160, rewritten.ToString().Length)]}");
            }
        }
    }
    return 0;
}

static int Build(int runs)
{
    var repo = Corpus.RepoRoot();
    var subsystems = Corpus.LoadSubsystems(repo);
    var glossary = Corpus.LoadGlossary(repo);
    var reports = Corpus.Generate(Corpus.LoadSeed(repo, subsystems), subsystems);
    using var process = Process.GetCurrentProcess();
    for (var run = 1; run <= runs; run++)
    {
        process.Refresh();
        var (cpu, bytes, gcs, clock) = (process.TotalProcessorTime, GC.GetTotalAllocatedBytes(), GC.CollectionCount(0), Stopwatch.StartNew());
        using (var index = new PatchIndexFactory(glossary, subsystems).Open(reports))
            clock.Stop();
        process.Refresh();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"run {run}: {clock.Elapsed.TotalSeconds:F2} s wall, {(process.TotalProcessorTime - cpu).TotalSeconds:F2} s CPU, {(GC.GetTotalAllocatedBytes() - bytes) / 1e9:F2} GB allocated, {GC.CollectionCount(0) - gcs} collections"));
    }
    return 0;
}

static int Usage(string usage)
{
    Console.Error.WriteLine("usage: " + usage);
    return 2;
}
