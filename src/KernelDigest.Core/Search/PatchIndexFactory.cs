using System.Security.Cryptography;
using System.Text;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Subsystems;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Analysis.Util;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Store;
using F = KernelDigest.Core.Search.PatchIndex.Fields;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace KernelDigest.Core.Search;

/// <summary>
/// Builds the <see cref="PatchIndex"/> for a set of reports. Chinese analysis costs about a millisecond per entry, so
/// with a cache folder the built index is kept on disk under a fingerprint of its inputs and reopened at the next
/// start instead of being rebuilt.
/// </summary>
public sealed class PatchIndexFactory(Glossary glossary, SubsystemCatalog subsystems, string? cacheDirectory = null)
{
    // Bump when analysis or fields change, so old caches are not reused.
    private const string SchemaVersion = "kd-index-8";
    private const string ReadyFile = "ready";
    private const string DictionaryFile = "dictionary.txt";

    public Glossary Glossary { get; } = glossary;

    /// <summary>Opens (from cache) or builds the index for these reports.</summary>
    public PatchIndex Open(IReadOnlyList<Report> reports)
    {
        var entries = reports.OrderByDescending(r => r.Month)
            .SelectMany(r => r.Sections.SelectMany(s => s.Entries.Select(e => (r, s, e))))
            .ToList();
        if (cacheDirectory is null)
        {
            using var ram = new RAMDirectory();
            var dictionary = Build(ram, entries);
            return new PatchIndex(ByteArrayDirectory.CopyOf(ram), entries, dictionary, Glossary);
        }

        var key = Fingerprint(reports);
        var folder = Path.Combine(cacheDirectory, key);
        if (File.Exists(Path.Combine(folder, ReadyFile)))
        {
            try
            {
                var words = File.ReadAllLines(Path.Combine(folder, DictionaryFile));
                return new PatchIndex(InMemory(folder), entries, new CharArraySet(Analysis.Version, words, false), Glossary);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CorruptIndexException)
            {
                // A damaged cache is rebuilt below.
            }
        }

        System.IO.Directory.CreateDirectory(cacheDirectory);
        var staging = Path.Combine(cacheDirectory, $"{key}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        CharArraySet built;
        using (var dir = FSDirectory.Open(staging))
            built = Build(dir, entries);
        File.WriteAllLines(Path.Combine(staging, DictionaryFile), built.Select(w => w.ToString()!).Order(StringComparer.Ordinal));
        File.WriteAllText(Path.Combine(staging, ReadyFile), SchemaVersion);
        try
        {
            if (System.IO.Directory.Exists(folder))
                System.IO.Directory.Delete(folder, recursive: true);
            System.IO.Directory.Move(staging, folder);
        }
        catch (IOException)
        {
            // Another process published the same index first; ours is identical.
            folder = staging;
        }
        RemoveStale(cacheDirectory, keep: [folder, staging]);
        return new PatchIndex(InMemory(folder), entries, built, Glossary);
    }

    /// <summary>The cached index read into memory (megabytes, milliseconds): see <see cref="ByteArrayDirectory"/>.</summary>
    private static ByteArrayDirectory InMemory(string folder)
    {
        using var files = FSDirectory.Open(folder);
        return ByteArrayDirectory.CopyOf(files);
    }

    private static void RemoveStale(string cacheDirectory, string[] keep)
    {
        foreach (var dir in System.IO.Directory.EnumerateDirectories(cacheDirectory))
        {
            if (keep.Contains(dir) || System.IO.Directory.GetLastWriteTimeUtc(dir) > DateTime.UtcNow.AddMinutes(-10) && dir.Contains(".tmp-", StringComparison.Ordinal))
                continue;
            try
            {
                System.IO.Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // In use by another process (an older bot still running); it goes next time.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>A hash of everything the index depends on: the reports' content, the glossary, the taxonomy, the schema.</summary>
    private string Fingerprint(IReadOnlyList<Report> reports)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s) => hash.AppendData(Encoding.UTF8.GetBytes(s + "\u0001"));
        Add(SchemaVersion);
        foreach (var r in reports.OrderByDescending(r => r.Month))
        {
            // A report read from a file is fingerprinted by the file's bytes (cheap); one built in memory by its text.
            if (r.SourcePath is { } path && File.Exists(path))
                hash.AppendData(File.ReadAllBytes(path));
            else
                Add(ReportMarkdown.Write(r));
            foreach (var s in r.Sections)
                Add(s.Subsystem);
        }
        foreach (var t in Glossary.Terms)
            Add(string.Join('|', t.Zh) + "=" + string.Join('|', t.En));
        foreach (var s in subsystems.All)
            Add(s.Key + s.NameZh + s.NameEn);
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..24];
    }

    private CharArraySet Build(LuceneDirectory directory, List<(Report Report, ReportSection Section, ReportEntry Entry)> entries)
    {
        var dictionary = CorpusDictionary(entries);
        var identifiers = Analysis.Identifiers(dictionary);
        var phrases = Analysis.GlossaryPhrases(Glossary);
        var identifiersWithPhrases = Analysis.Identifiers(dictionary, phrases);
        var chinese = Analysis.ChineseWithPhrases(phrases);
        var perField = new Dictionary<string, Analyzer>
        {
            [F.TitleId] = identifiersWithPhrases,
            [F.MetaId] = identifiersWithPhrases,
            [F.TitleZh] = chinese,
            [F.BodyZh] = chinese,
            [F.Prefix] = Analysis.Prefixes,
            [F.PrefixBody] = Analysis.Prefixes,
        };
        using var analyzer = new PerFieldAnalyzerWrapper(identifiers, perField);
        var config = new IndexWriterConfig(Analysis.Version, analyzer)
        {
            OpenMode = OpenMode.CREATE,
            Similarity = new PatchIndex.CoordinatedBm25(),
            RAMBufferSizeMB = 64,
            UseCompoundFile = false, // read whole into memory anyway; one file per part is simpler to read
        };
        using var writer = new IndexWriter(directory, config);
        // IndexWriter takes documents from several threads at once; Chinese analysis is the cost, so spread it.
        Parallel.For(0, entries.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            () => new ReusedFields(),
            (ord, _, fields) =>
            {
                writer.AddDocument(Document(ord, entries[ord], fields));
                return fields;
            },
            _ => { });
        // One segment: term lookups at query time then reuse one enumerator per field (see PatchIndex.TermLookup).
        writer.ForceMerge(1);
        writer.Commit();
        return dictionary;
    }

    /// <summary>
    /// Text of the fields no phrase is asked of (the prefixes, the identifier body): BM25 needs only a term's frequency
    /// and the field's length, and their positions were over half of the positions file.
    /// </summary>
    private static readonly FieldType WithoutPositions = Frozen(new FieldType(TextField.TYPE_NOT_STORED) { IndexOptions = IndexOptions.DOCS_AND_FREQS });

    private static FieldType Frozen(FieldType type)
    {
        type.Freeze();
        return type;
    }

    private Document Document(int ord, (Report Report, ReportSection Section, ReportEntry Entry) item, ReusedFields fields)
    {
        var (report, section, entry) = item;
        fields.Reset();
        var summary = string.Join('\n', entry.Summary);
        var changelog = string.Join('\n', entry.Changelog.SelectMany(c => c.Items.Prepend(c.Label)));
        var subsystem = subsystems.Find(section.Subsystem);
        var heading = string.Join(' ', section.Heading, section.Subsystem, subsystem?.NameZh, subsystem?.NameEn);
        var keywords = string.Join(", ", entry.Keywords);
        var authors = string.Join(", ", entry.Authors);

        // Index each entry with every name of the glossary terms it contains, so "bus lock" finds an entry that only
        // says 总线锁 and 总线锁 finds one that only says "bus lock".
        var gloss = Glossary.FindIn(string.Join('\n', entry.Title, summary, keywords))
            .SelectMany(g => g.Term.Zh.Concat(g.Term.En.Select(e => e.ToLowerInvariant())))
            .Distinct(StringComparer.Ordinal);

        var doc = new Document
        {
            new NumericDocValuesField(F.Ord, ord),
            fields.Month(report.Month.ToString()),
            fields.Subsystem(section.Subsystem),
            new TextField(F.TitleId, entry.Title, Field.Store.NO),
            new TextField(F.TitleZh, entry.Title, Field.Store.NO),
            new TextField(F.MetaId, authors, Field.Store.NO),
            new TextField(F.MetaId, keywords, Field.Store.NO),
            new Field(F.Prefix, string.Join(' ', entry.Title, authors, keywords), WithoutPositions),
            new Field(F.PrefixBody, summary, WithoutPositions),
        };
        // The body: several values of one field (a field is a clause per query word; values are free).
        foreach (var text in new[] { summary, changelog, heading })
        {
            doc.Add(new Field(F.BodyId, text, WithoutPositions));
            doc.Add(new TextField(F.BodyZh, text, Field.Store.NO));
        }
        foreach (var name in gloss)
            doc.Add(fields.Gloss(name));
        return doc;
    }

    /// <summary>
    /// The untokenized fields of one indexing thread, refilled for each entry once IndexWriter has taken the last. An
    /// untokenized field makes its token stream (an attribute source with its maps) on first use and keeps it, so a
    /// new field for each of an entry's ~36 month, subsystem and glossary names was a sixth of the build's allocations.
    /// </summary>
    private sealed class ReusedFields
    {
        private readonly StringField _month = new(F.Month, "", Field.Store.NO);
        private readonly StringField _subsystem = new(F.Subsystem, "", Field.Store.NO);
        private readonly List<StringField> _gloss = [];
        private int _glossUsed;

        public StringField Month(string value) => Set(_month, value);

        public StringField Subsystem(string value) => Set(_subsystem, value);

        public StringField Gloss(string value)
        {
            if (_glossUsed == _gloss.Count)
                _gloss.Add(new StringField(F.Gloss, "", Field.Store.NO));
            return Set(_gloss[_glossUsed++], value);
        }

        /// <summary>Starts the next entry: its document is built only after the last one is in the index.</summary>
        public void Reset() => _glossUsed = 0;

        private static StringField Set(StringField field, string value)
        {
            field.SetStringValue(value);
            return field;
        }
    }

    /// <summary>
    /// The words the corpus itself uses (and the glossary's English words): the dictionary that splits words glued
    /// together in the source ("Introducethe" → introduce + the, "KVMMMU" → kvm + mmu).
    /// </summary>
    private CharArraySet CorpusDictionary(List<(Report Report, ReportSection Section, ReportEntry Entry)> entries)
    {
        var words = new CharArraySet(Analysis.Version, 4096, false);
        var plain = Analyzer.NewAnonymous((_, reader) =>
        {
            var tokenizer = new Lucene.Net.Analysis.Core.LetterTokenizer(Analysis.Version, reader);
            TokenStream stream = new Lucene.Net.Analysis.Core.LowerCaseFilter(Analysis.Version, tokenizer);
            return new TokenStreamComponents(tokenizer, stream);
        });
        void AddText(string text)
        {
            using var stream = plain.GetTokenStream("x", text);
            var term = stream.AddAttribute<ICharTermAttribute>();
            stream.Reset();
            while (stream.IncrementToken())
            {
                // Only Latin words of a useful length; CJK runs are SmartCn's business.
                if (term.Length is >= 3 and <= 20 && IsAsciiLetters(term))
                    words.Add(term.ToString());
            }
            stream.End();
        }
        foreach (var (_, section, entry) in entries)
        {
            AddText(entry.Title);
            AddText(string.Join(' ', entry.Keywords));
            foreach (var p in entry.Summary)
                AddText(p);
        }
        foreach (var t in Glossary.Terms)
            AddText(string.Join(' ', t.En));
        foreach (var s in subsystems.All)
            AddText(string.Join(' ', s.Aliases.Append(s.NameEn).Append(s.Key)));
        return words;
    }

    private static bool IsAsciiLetters(ICharTermAttribute term)
    {
        for (var i = 0; i < term.Length; i++)
        {
            if (!char.IsAsciiLetter(term.Buffer[i]))
                return false;
        }
        return true;
    }
}
