using Lucene.Net.Search.Similarities;

namespace KernelDigest.Core.Search;

public sealed partial class PatchIndex
{
    /// <summary>
    /// BM25 with Lucene's classic coordination factor: an entry that matches more of the query's concepts ranks above
    /// one that matches a single concept very often.
    /// </summary>
    internal sealed class CoordinatedBm25 : BM25Similarity
    {
        public override float Coord(int overlap, int maxOverlap) => maxOverlap == 0 ? 1f : (float)overlap / maxOverlap;

        public float IdfOf(long docFreq, long docCount) => Idf(docFreq, docCount);
    }
}
