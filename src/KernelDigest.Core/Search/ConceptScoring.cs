using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace KernelDigest.Core.Search;

/// <summary>
/// One clause of a search: alternative ways to match one thing the user typed (the word in the title, in the
/// authors, in the body, its stem, its prefix…). An entry scores like Lucene's <see cref="DisjunctionMaxQuery"/>: the
/// best variant, plus <see cref="PatchIndex.Tie"/> × the others.
/// </summary>
internal sealed record Clause(IReadOnlyList<Query> Variants);

/// <summary>
/// Scores a search the way Lucene scores <c>BooleanQuery(SHOULD clauses, coord) of DisjunctionMaxQuery(variants)</c>,
/// with the same weights and the same BM25 scorers for every variant, but term-at-a-time into dense per-entry arrays
/// instead of document-at-a-time through nested disjunction heaps. At 10,000 entries the heaps were two thirds of a
/// search (every posting of every common word went through three levels of them); an array add per posting is not.
/// </summary>
internal static class ConceptScoring
{
    /// <summary>
    /// The best <paramref name="count"/> documents (score descending, then <paramref name="order"/> ascending), and how
    /// many documents matched at all.
    /// </summary>
    public static (List<(int Doc, float Score)> Top, int Matched) Top(
        IndexSearcher searcher, IReadOnlyList<Clause> clauses, float tie, IBits? filter, int count, int[] order)
    {
        var similarity = searcher.Similarity;
        var reader = searcher.IndexReader;
        var scratch = Scratch.For(reader.MaxDoc);
        var weights = clauses.Select(c => c.Variants.Select(searcher.CreateNormalizedWeight).ToList()).ToList();
        var all = scratch.All;
        var matched = 0;
        try
        {
            ScoreAll();
        }
        catch
        {
            scratch.Clear(); // a search that failed half-way must not leave its sums to the next one
            throw;
        }

        // The best `count` by (score, order), through a heap whose root is the worst kept.
        var heap = new PriorityQueue<int, (float Score, int Order)>(count + 1, WorstFirst.Instance);
        for (var i = 0; i < matched; i++)
        {
            var doc = all[i];
            var score = scratch.Total[doc] * similarity.Coord(scratch.Overlap[doc], clauses.Count);
            scratch.Total[doc] = 0;
            scratch.Overlap[doc] = 0;
            var key = (score, order[doc]);
            if (heap.Count < count)
                heap.Enqueue(doc, key);
            else if (heap.TryPeek(out _, out var worst) && WorstFirst.Instance.Compare(key, worst) > 0)
                heap.EnqueueDequeue(doc, key);
        }
        var top = new List<(int Doc, float Score)>(heap.Count);
        while (heap.TryDequeue(out var doc, out var key))
            top.Add((doc, key.Score));
        top.Reverse();
        return (top, matched);

        void ScoreAll()
        {
            foreach (var leaf in reader.Leaves)
            {
                var accept = filter is null ? leaf.AtomicReader.LiveDocs : Slice(filter, leaf);
                for (var c = 0; c < weights.Count; c++)
                {
                    var generation = scratch.NextGeneration();
                    var touched = 0;
                    foreach (var weight in weights[c])
                    {
                        if (weight.GetScorer(leaf, accept) is not { } scorer)
                            continue;
                        int local;
                        while ((local = scorer.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
                        {
                            var doc = leaf.DocBase + local;
                            var score = scorer.GetScore();
                            if (scratch.Seen[doc] != generation)
                            {
                                scratch.Seen[doc] = generation;
                                scratch.Max[doc] = score;
                                scratch.Sum[doc] = score;
                                scratch.Touched[touched++] = doc;
                            }
                            else
                            {
                                scratch.Sum[doc] += score;
                                if (score > scratch.Max[doc])
                                    scratch.Max[doc] = score;
                            }
                        }
                    }
                    for (var i = 0; i < touched; i++)
                    {
                        var doc = scratch.Touched[i];
                        if (scratch.Overlap[doc]++ == 0)
                            all[matched++] = doc;
                        var max = scratch.Max[doc];
                        scratch.Total[doc] += max + (scratch.Sum[doc] - max) * tie;
                    }
                }
            }
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

    /// <summary>Per-thread arrays the size of the index, reused by every search (a search allocates none of them).</summary>
    private sealed class Scratch
    {
        [ThreadStatic]
        private static Scratch? t_current;

        private int _generation;

        private Scratch(int size)
        {
            Seen = new int[size];
            Max = new float[size];
            Sum = new float[size];
            Total = new float[size];
            Overlap = new int[size];
            Touched = new int[size];
            All = new int[size];
        }

        public int[] Seen { get; }
        public float[] Max { get; }
        public float[] Sum { get; }
        public float[] Total { get; }
        public int[] Overlap { get; }
        public int[] Touched { get; }
        public int[] All { get; }

        public static Scratch For(int size)
        {
            if (t_current is null || t_current.Seen.Length < size)
                t_current = new Scratch(size);
            return t_current;
        }

        public void Clear()
        {
            Array.Clear(Total);
            Array.Clear(Overlap);
        }

        public int NextGeneration()
        {
            if (++_generation == int.MaxValue)
            {
                Array.Clear(Seen);
                _generation = 1;
            }
            return _generation;
        }
    }
}
