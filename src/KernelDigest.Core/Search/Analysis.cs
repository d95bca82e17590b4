using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Cn.Smart;
using Lucene.Net.Analysis.Compound;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Analysis.NGram;
using Lucene.Net.Analysis.Synonym;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Analysis.Util;
using Lucene.Net.Util;

namespace KernelDigest.Core.Search;

/// <summary>
/// The analysis chains of the patch index. Text is indexed twice: once for Chinese words (SmartCn, which also
/// Porter-stems English), once for kernel identifiers (RWF_NOAPPEND whole and as RWF + NOAPPEND; words glued in the
/// source, "Introducethe", split against a dictionary of the corpus's own words).
/// </summary>
internal static class Analysis
{
    public const LuceneVersion Version = LuceneVersion.LUCENE_48;

    private const WordDelimiterFlags IdentifierFlags =
        WordDelimiterFlags.GENERATE_WORD_PARTS | WordDelimiterFlags.GENERATE_NUMBER_PARTS | WordDelimiterFlags.CATENATE_WORDS
        | WordDelimiterFlags.PRESERVE_ORIGINAL | WordDelimiterFlags.SPLIT_ON_CASE_CHANGE;

    public static CharArraySet StopWords { get; } = EnglishAnalyzer.DefaultStopSet;

    private static readonly Lazy<SmartChineseAnalyzer> Chinese = new(() => new SmartChineseAnalyzer(Version));

    /// <summary>SmartCn, created on first use: its dictionaries cost a noticeable part of a cold start.</summary>
    public static Analyzer ChineseAnalyzer => Chinese.Value;

    /// <summary>
    /// Identifier analysis for the *_id fields; glued words are split against <paramref name="dictionary"/>; with
    /// <paramref name="phrases"/>, a glossary phrase also becomes one token (see <see cref="GlossaryPhrases"/>).
    /// </summary>
    public static Analyzer Identifiers(CharArraySet dictionary, SynonymMap? phrases = null) => Analyzer.NewAnonymous((_, reader) =>
    {
        var tokenizer = new IdentifierTokenizer(reader);
        TokenStream stream = new WordDelimiterFilter(Version, tokenizer, IdentifierFlags, null);
        stream = new LowerCaseFilter(Version, stream);
        if (phrases is not null)
            stream = new SynonymFilter(stream, phrases, ignoreCase: false);
        stream = new DictionaryCompoundWordTokenFilter(Version, stream, dictionary, minWordSize: 7, minSubwordSize: 3, maxSubwordSize: 20, onlyLongestMatch: false);
        stream = new StopFilter(Version, stream, StopWords);
        return new TokenStreamComponents(tokenizer, stream);
    });

    /// <summary>
    /// Identifier analysis without the dictionary split: the word whole and its identifier parts (RWF_NOAPPEND → rwf,
    /// noappend). Queries use it for a word the index knows whole, where dictionary pieces are only noise
    /// ("Lendacky" → "len", "end").
    /// </summary>
    public static Analyzer IdentifierParts { get; } = Analyzer.NewAnonymous((_, reader) =>
    {
        var tokenizer = new IdentifierTokenizer(reader);
        TokenStream stream = new WordDelimiterFilter(Version, tokenizer, IdentifierFlags, null);
        stream = new LowerCaseFilter(Version, stream);
        stream = new StopFilter(Version, stream, StopWords);
        return new TokenStreamComponents(tokenizer, stream);
    });

    /// <summary>Edge n-grams of identifiers and their parts, so a prefix ("fchmod", "Lenda") finds the whole.</summary>
    public static Analyzer Prefixes { get; } = Analyzer.NewAnonymous((_, reader) =>
    {
        var tokenizer = new IdentifierTokenizer(reader);
        TokenStream stream = new WordDelimiterFilter(Version, tokenizer, IdentifierFlags, null);
        stream = new LowerCaseFilter(Version, stream);
        stream = new EdgeNGramTokenFilter(Version, stream, 3, 24);
        return new TokenStreamComponents(tokenizer, stream);
    });

    /// <summary>
    /// Every glossary term that analysis cuts into several tokens (总线锁 → 总线 + 锁, "bus lock" → bus + lock), mapped
    /// to one token of the whole term, kept beside its parts. A search for the term is then one term lookup instead of
    /// a phrase over positions: phrases over common words were most of the cost of a Chinese query.
    /// </summary>
    public static SynonymMap GlossaryPhrases(Glossary glossary)
    {
        var builder = new SynonymMap.Builder(dedup: true);
        foreach (var term in glossary.Terms)
        {
            foreach (var zh in term.Zh)
                Add(Terms(ChineseAnalyzer, "x", zh), zh);
            foreach (var en in term.En)
            {
                var words = en.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (IsIndexedWhole(words))
                    Add([.. words], string.Join(' ', words));
            }
        }
        return builder.Build();

        void Add(List<string> tokens, string whole)
        {
            if (tokens.Count >= 2)
                builder.Add(SynonymMap.Builder.Join([.. tokens], new CharsRef()), new CharsRef(whole), includeOrig: true);
        }
    }

    /// <summary>
    /// Whether an English glossary phrase (lower case, in words) is indexed whole: only plain words, which the identifier
    /// analysis passes through as they are; a word with punctuation ("hyper-v") is cut differently.
    /// </summary>
    public static bool IsIndexedWhole(IEnumerable<string> words) => words.All(w => w.All(char.IsAsciiLetterOrDigit));

    /// <summary>SmartCn with glossary terms also indexed whole (see <see cref="GlossaryPhrases"/>).</summary>
    public static Analyzer ChineseWithPhrases(SynonymMap phrases) => new WithPhrases(ChineseAnalyzer, phrases);

    private sealed class WithPhrases(Analyzer inner, SynonymMap phrases) : AnalyzerWrapper(GLOBAL_REUSE_STRATEGY)
    {
        protected override Analyzer GetWrappedAnalyzer(string fieldName) => inner;

        protected override TokenStreamComponents WrapComponents(string fieldName, TokenStreamComponents components) =>
            new(components.Tokenizer, new SynonymFilter(components.TokenStream, phrases, ignoreCase: false));
    }

    /// <summary>Runs an analyzer over text and returns the terms in order (duplicates kept: positions matter for phrases).</summary>
    public static List<string> Terms(Analyzer analyzer, string field, string text)
    {
        var terms = new List<string>();
        using var stream = analyzer.GetTokenStream(field, text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
            terms.Add(term.ToString());
        stream.End();
        return terms;
    }

    /// <summary>English Porter stem of one lower-case word: what SmartCn indexes for a Latin word in the *_zh fields.</summary>
    public static string Stem(string word)
    {
        var terms = Terms(Stemmer, "x", word);
        return terms.Count == 1 ? terms[0] : word;
    }

    private static readonly Analyzer Stemmer = Analyzer.NewAnonymous((_, reader) =>
    {
        var tokenizer = new KeywordTokenizer(reader);
        return new TokenStreamComponents(tokenizer, new PorterStemFilter(tokenizer));
    });

    /// <summary>Letters, digits, '_' and '-' make identifier tokens; Chinese and other punctuation separate them.</summary>
    private sealed class IdentifierTokenizer(TextReader reader) : CharTokenizer(Version, reader)
    {
        protected override bool IsTokenChar(int c) =>
            c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-';
    }
}
