using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Util;

namespace KernelDigest.Core.Search;

/// <summary>
/// Scores a query tree of <see cref="BooleanQuery"/> (SHOULD clauses, with or without coord) and
/// <see cref="DisjunctionMaxQuery"/> nodes exactly as Lucene does (the same weights and BM25 scorers for every leaf,
/// the same coord and tie-breaker arithmetic), but term-at-a-time into dense per-document arrays instead of
/// document-at-a-time through nested disjunction heaps. At 10,000 entries a posting that went through three levels of
/// heaps cost about 200 ns; added to an array it costs about 15.
/// </summary>
internal static class ConceptScoring
{
    /// <summary>
    /// The best <paramref name="count"/> documents for <paramref name="query"/> (score descending, then
    /// <paramref name="order"/> ascending), among the documents <paramref name="filter"/> accepts (null: all).
    /// </summary>
    public static List<(int Doc, float Score)> Top(IndexSearcher searcher, Query query, IBits? filter, int count, int[] order, MaxScores? bounds = null)
    {
        // Lucene's rewrite first, as its searcher does: groups of one clause become that clause (a level less to add up).
        var node = Node.From(searcher, searcher.Rewrite(query));
        var root = node as Group ?? new Group([node], Group.Kind.Sum, 1f, 0f, null);
        var reader = searcher.IndexReader;
        var scratch = Scratch.For(reader.MaxDoc);
        var (dense, candidates) = bounds is null ? (null, null) : Prune(root, reader, filter, count, scratch, bounds);
        var scores = scratch.Level(0);
        scores.Begin();
        foreach (var leaf in reader.Leaves)
        {
            var accept = filter is null ? leaf.AtomicReader.LiveDocs : Slice(filter, leaf);
            var narrowed = candidates is null ? accept : Slice(candidates, leaf);
            foreach (var child in root.Children)
                child.AddTo(scores, leaf, child == dense ? narrowed : accept, scratch, 1);
        }

        // The best `count` by (score, order), through a heap whose root is the worst kept.
        var heap = new PriorityQueue<int, (float Score, int Order)>(count + 1, WorstFirst.Instance);
        // Once the heap is full, most documents score below its worst: one float comparison turns them away.
        var worstScore = float.NegativeInfinity;
        for (var i = 0; i < scores.Touched; i++)
        {
            var doc = scores.Docs[i];
            var score = root.Combine(scores, doc);
            if (score < worstScore)
                continue;
            var key = (score, order[doc]);
            if (heap.Count < count)
                heap.Enqueue(doc, key);
            else if (heap.TryPeek(out _, out var worst) && WorstFirst.Instance.Compare(key, worst) > 0)
                heap.EnqueueDequeue(doc, key);
            if (heap.Count == count && heap.TryPeek(out _, out var least))
                worstScore = least.Score;
        }
        var top = new List<(int Doc, float Score)>(heap.Count);
        while (heap.TryDequeue(out var doc, out var key))
            top.Add((doc, key.Score));
        top.Reverse();
        return top;
    }

    /// <summary>
    /// MaxScore pruning (Turtle and Flood) for a query whose concepts differ widely in how common they are ("虚拟机热迁移":
    /// virtual machine is in nine entries of ten, live migration in one of eight). The rare concepts are scored first;
    /// the <paramref name="count"/>-th best of those partial scores is a floor the final scores can only rise above
    /// (the dense concept adds to the sum and to coord). An entry that matches the dense concept alone scores at most
    /// coord(1, n) times that concept's highest possible score; when that is below the floor, no such entry can be in
    /// the result, and the dense concept is scored only on the entries the rare ones matched. The result is the same
    /// documents with the same scores, added up in the same order; what is skipped is scoring the dense postings.
    /// Returns the dense child and the entries to score it on, or nulls when pruning cannot help.
    /// </summary>
    private static (Node? Dense, FixedBitSet? Candidates) Prune(Group root, IndexReader reader, IBits? filter, int count, Scratch scratch, MaxScores bounds)
    {
        if (root.Children.Length < 2 || root.Combining != Group.Kind.Sum)
            return (null, null);
        var costs = root.Children.Select(c => c.Cost(reader, bounds)).ToArray();
        var denseAt = Array.IndexOf(costs, costs.Max());
        var rest = costs.Sum() - costs[denseAt];
        // Worth it only when the dense concept has several times the postings of the others and of the result.
        if (costs[denseAt] < 2 * rest || costs[denseAt] < 4L * count)
            return (null, null);
        var dense = root.Children[denseAt];

        var partial = scratch.Level(0);
        partial.Begin();
        foreach (var leaf in reader.Leaves)
        {
            var accept = filter is null ? leaf.AtomicReader.LiveDocs : Slice(filter, leaf);
            foreach (var child in root.Children)
            {
                if (child != dense)
                    child.AddTo(partial, leaf, accept, scratch, 1);
            }
        }
        if (partial.Touched < count)
            return (null, null);
        var kept = new PriorityQueue<float, float>(count + 1);
        for (var i = 0; i < partial.Touched; i++)
        {
            var score = root.Combine(partial, partial.Docs[i]);
            if (kept.Count < count)
                kept.Enqueue(score, score);
            else if (score > kept.Peek())
                kept.EnqueueDequeue(score, score);
        }
        var floor = kept.Peek();
        // Alone, the dense concept is one of n matched: coord(1, n), the root's boost, and its best possible score. The
        // margin covers sums added in another order rounding differently.
        var alone = root.Combine(1, dense.MaxScore(reader, bounds));
        if (!(alone < floor * (1 - 1e-4f)))
            return (null, null);
        var candidates = new FixedBitSet(reader.MaxDoc);
        for (var i = 0; i < partial.Touched; i++)
            candidates.Set(partial.Docs[i]);
        bounds.CountPruned();
        return (dense, candidates);
    }

    /// <summary>
    /// Per leaf query (keyed by its text, boost included) of one index: its cost (Lucene's estimate of the postings it
    /// reads), and the highest score it reaches over the whole index, found once by scoring every posting; the bound
    /// <see cref="Prune"/> needs. The index never changes, so neither do they. Bounded: a full table starts afresh.
    /// </summary>
    public sealed class MaxScores
    {
        private const int Capacity = 8192;
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _cost = new(StringComparer.Ordinal);
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, float> _max = new(StringComparer.Ordinal);

        private int _pruned;

        /// <summary>How many searches were pruned (for tests: that the path is taken at all).</summary>
        public int Pruned => Volatile.Read(ref _pruned);

        internal void CountPruned() => Interlocked.Increment(ref _pruned);

        internal long CostOf(Weight weight, IndexReader reader)
        {
            var key = weight.Query.ToString();
            if (_cost.TryGetValue(key, out var cost))
                return cost;
            cost = reader.Leaves.Sum(leaf => weight.GetScorer(leaf, null)?.GetCost() ?? 0);
            return Keep(_cost, key, cost);
        }

        internal float For(Weight weight, IndexReader reader)
        {
            var key = weight.Query.ToString();
            if (_max.TryGetValue(key, out var max))
                return max;
            max = 0f;
            foreach (var leaf in reader.Leaves)
            {
                if (weight.GetScorer(leaf, null) is not { } scorer)
                    continue;
                while (scorer.NextDoc() != DocIdSetIterator.NO_MORE_DOCS)
                    max = Math.Max(max, scorer.GetScore());
            }
            return Keep(_max, key, max);
        }

        private static T Keep<T>(System.Collections.Concurrent.ConcurrentDictionary<string, T> table, string key, T value)
        {
            if (table.Count >= Capacity)
                table.Clear();
            table[key] = value;
            return value;
        }
    }

    /// <summary>The documents a filter accepts, as bits over the whole index (the filter is applied before scoring).</summary>
    public static FixedBitSet Accepted(IndexReader reader, Filter filter)
    {
        var bits = new FixedBitSet(reader.MaxDoc);
        foreach (var leaf in reader.Leaves)
        {
            var iterator = filter.GetDocIdSet(leaf, leaf.AtomicReader.LiveDocs)?.GetIterator();
            if (iterator is null)
                continue;
            int doc;
            while ((doc = iterator.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
                bits.Set(leaf.DocBase + doc);
        }
        return bits;
    }

    private abstract class Node
    {
        /// <summary>Adds this node's score for every document it matches in <paramref name="leaf"/> to <paramref name="target"/>.</summary>
        public abstract void AddTo(Level target, AtomicReaderContext leaf, IBits? accept, Scratch scratch, int depth);

        /// <summary>How many postings scoring this node reads (Lucene's cost estimate of its scorers).</summary>
        public abstract long Cost(IndexReader reader, MaxScores bounds);

        /// <summary>A score no document can exceed for this node.</summary>
        public abstract float MaxScore(IndexReader reader, MaxScores bounds);

        public static Node From(IndexSearcher searcher, Query query) => query switch
        {
            DisjunctionMaxQuery max => new Group(
                [.. max.Disjuncts.Select(q => From(searcher, q))], Group.Kind.Max, max.Boost, max.TieBreakerMultiplier, null),
            BooleanQuery { MinimumNumberShouldMatch: 0 } any when any.Clauses.All(c => c.Occur == Occur.SHOULD) => new Group(
                [.. any.Clauses.Select(c => From(searcher, c.Query))], Group.Kind.Sum, any.Boost, 0f,
                any.CoordDisabled ? null : searcher.Similarity),
            _ => new Leaf(searcher.CreateNormalizedWeight(query)),
        };
    }

    /// <summary>A term, phrase or any other query Lucene scores itself: its postings are read once, in order.</summary>
    private sealed class Leaf(Weight weight) : Node
    {
        public override void AddTo(Level target, AtomicReaderContext leaf, IBits? accept, Scratch scratch, int depth)
        {
            if (weight.GetScorer(leaf, accept) is not { } scorer)
                return;
            int doc;
            while ((doc = scorer.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
                target.Add(leaf.DocBase + doc, scorer.GetScore());
        }

        public override long Cost(IndexReader reader, MaxScores bounds) => bounds.CostOf(weight, reader);

        public override float MaxScore(IndexReader reader, MaxScores bounds) => bounds.For(weight, reader);
    }

    /// <summary>
    /// A disjunction: <see cref="Kind.Max"/> scores like DisjunctionMaxQuery (best + tie × the rest), <see cref="Kind.Sum"/>
    /// like a BooleanQuery of SHOULD clauses (the sum, times coord when <c>coord</c> is set). A boost multiplies the
    /// result, as Lucene's weights multiply it into every leaf below.
    /// </summary>
    private sealed class Group(Node[] children, Group.Kind kind, float boost, float tie, Similarity? coord) : Node
    {
        public enum Kind { Max, Sum }

        public Node[] Children => children;
        public Kind Combining => kind;

        public override long Cost(IndexReader reader, MaxScores bounds) => children.Sum(c => c.Cost(reader, bounds));

        // Both combinations only grow with each child's score (0 ≤ tie ≤ 1, coord ≤ 1), so the children's bounds bound them.
        public override float MaxScore(IndexReader reader, MaxScores bounds)
        {
            var max = children.Select(c => c.MaxScore(reader, bounds)).ToArray();
            return boost * (kind == Kind.Max ? (1 - tie) * max.Max() + tie * max.Sum() : max.Sum());
        }

        /// <summary>What a <see cref="Kind.Sum"/> group gives a document matching <paramref name="matched"/> children with this sum.</summary>
        public float Combine(int matched, float sum) => (coord is null ? sum : sum * coord.Coord(matched, children.Length)) * boost;

        public override void AddTo(Level target, AtomicReaderContext leaf, IBits? accept, Scratch scratch, int depth)
        {
            var level = scratch.Level(depth);
            level.Begin();
            AddChildren(level, leaf, accept, scratch, depth + 1);
            for (var i = 0; i < level.Touched; i++)
            {
                var doc = level.Docs[i];
                target.Add(doc, Combine(level, doc));
            }
        }

        public void AddChildren(Level level, AtomicReaderContext leaf, IBits? accept, Scratch scratch, int depth)
        {
            foreach (var child in children)
                child.AddTo(level, leaf, accept, scratch, depth);
        }

        public float Combine(Level level, int doc)
        {
            var sum = level.Sum[doc];
            var score = kind == Kind.Max
                ? level.Max[doc] + (sum - level.Max[doc]) * tie
                : coord is null ? sum : sum * coord.Coord(level.Count[doc], children.Length);
            return score * boost;
        }
    }

    /// <summary>Per-document sums, maxima and match counts of one level of the tree, for the documents touched so far.</summary>
    private sealed class Level(int size)
    {
        private readonly int[] _seen = new int[size];
        private int _generation;

        public float[] Sum { get; } = new float[size];
        public float[] Max { get; } = new float[size];
        public int[] Count { get; } = new int[size];
        public int[] Docs { get; } = new int[size];
        public int Touched { get; private set; }

        /// <summary>
        /// Forgets the previous use: a generation stamp instead of clearing the arrays (so a search that failed half-way
        /// leaves nothing behind either).
        /// </summary>
        public void Begin()
        {
            Touched = 0;
            if (++_generation == int.MaxValue)
            {
                Array.Clear(_seen);
                _generation = 1;
            }
        }

        public void Add(int doc, float score)
        {
            if (_seen[doc] != _generation)
            {
                _seen[doc] = _generation;
                Sum[doc] = score;
                Max[doc] = score;
                Count[doc] = 1;
                Docs[Touched++] = doc;
                return;
            }
            Sum[doc] += score;
            Count[doc]++;
            if (score > Max[doc])
                Max[doc] = score;
        }
    }

    /// <summary>Per-thread levels the size of the index, reused by every search (a search allocates none of them).</summary>
    private sealed class Scratch(int size)
    {
        [ThreadStatic]
        private static Scratch? t_current;

        private readonly List<Level> _levels = [];

        public int Size => size;

        public static Scratch For(int size)
        {
            if (t_current is null || t_current.Size < size)
                t_current = new Scratch(size);
            return t_current;
        }

        public Level Level(int depth)
        {
            while (_levels.Count <= depth)
                _levels.Add(new Level(size));
            return _levels[depth];
        }
    }

    private static IBits Slice(IBits filter, AtomicReaderContext leaf) =>
        leaf.DocBase == 0 && leaf.AtomicReader.MaxDoc == filter.Length ? filter : new OffsetBits(filter, leaf.DocBase, leaf.AtomicReader.MaxDoc);

    private sealed class OffsetBits(IBits inner, int offset, int length) : IBits
    {
        public int Length => length;
        public bool Get(int index) => inner.Get(offset + index);
    }

    private sealed class WorstFirst : IComparer<(float Score, int Order)>
    {
        public static WorstFirst Instance { get; } = new();

        // "Greater" is better: a higher score, then an earlier order. The queue keeps the least at its root.
        public int Compare((float Score, int Order) x, (float Score, int Order) y) =>
            x.Score != y.Score ? x.Score.CompareTo(y.Score) : y.Order.CompareTo(x.Order);
    }
}
