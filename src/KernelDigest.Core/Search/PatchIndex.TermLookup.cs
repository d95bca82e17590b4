using Lucene.Net.Index;
using Lucene.Net.Util;

namespace KernelDigest.Core.Search;

public sealed partial class PatchIndex
{
    /// <summary>Seeks terms with a reused enumerator per field (the index is one segment, see PatchIndexFactory).</summary>
    private sealed class TermLookup(DirectoryReader reader)
    {
        private readonly Dictionary<string, TermsEnum?> _enums = new(StringComparer.Ordinal);

        public (Term Term, TermContext? Context) Find(string field, string text)
        {
            var term = new Term(field, text);
            if (reader.Leaves.Count != 1)
            {
                var built = TermContext.Build(reader.Context, term);
                return (term, built.DocFreq == 0 ? null : built);
            }
            var leaf = reader.Leaves[0];
            if (!_enums.TryGetValue(field, out var terms))
                _enums[field] = terms = leaf.AtomicReader.GetTerms(field)?.GetEnumerator();
            if (terms is null || !terms.SeekExact(term.Bytes))
                return (term, null);
            return (term, new TermContext(reader.Context, terms.GetTermState(), leaf.Ord, terms.DocFreq, terms.TotalTermFreq));
        }

        /// <summary>The field's words that start with <paramref name="prefix"/>, in order (their own enumerator).</summary>
        public IEnumerable<string> StartingWith(string field, string prefix)
        {
            var start = new BytesRef(prefix);
            foreach (var leaf in reader.Leaves)
            {
                var terms = leaf.AtomicReader.GetTerms(field)?.GetEnumerator();
                if (terms is null || terms.SeekCeil(start) == TermsEnum.SeekStatus.END)
                    continue;
                do
                {
                    if (!StringHelper.StartsWith(terms.Term, start))
                        break;
                    yield return terms.Term.Utf8ToString();
                }
                while (terms.MoveNext());
            }
        }
    }
}
