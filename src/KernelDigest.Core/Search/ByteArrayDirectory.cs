using Lucene.Net.Store;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace KernelDigest.Core.Search;

/// <summary>
/// A finished index held in memory, one byte array per file, read-only. The index is a few megabytes and every query
/// opens a postings reader per term it reads, so how cheaply an input clones is what matters: Lucene.NET's
/// memory-mapped inputs register each clone in a weak map (a third of a query's time at 10,000 entries) and
/// <see cref="RAMDirectory"/> takes a lock at every 1 KB buffer. A clone here is a copy of two fields.
/// </summary>
internal sealed class ByteArrayDirectory : BaseDirectory
{
    private readonly Dictionary<string, byte[]> _files;

    private ByteArrayDirectory(Dictionary<string, byte[]> files)
    {
        _files = files;
        SetLockFactory(NoLockFactory.GetNoLockFactory());
    }

    /// <summary>Reads every file of <paramref name="source"/> into memory (the source can be closed afterwards).</summary>
    public static ByteArrayDirectory CopyOf(LuceneDirectory source)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in source.ListAll())
        {
            using var input = source.OpenInput(name, IOContext.READ_ONCE);
            var bytes = new byte[input.Length];
            input.ReadBytes(bytes, 0, bytes.Length);
            files[name] = bytes;
        }
        return new ByteArrayDirectory(files);
    }

    public override string[] ListAll() => [.. _files.Keys];

    [Obsolete("Lucene marks this obsolete; the index reader still calls it.")]
    public override bool FileExists(string name) => _files.ContainsKey(name);

    public override long FileLength(string name) => File(name).Length;

    public override IndexInput OpenInput(string name, IOContext context) => new Input($"{nameof(ByteArrayDirectory)}({name})", File(name));

    public override void DeleteFile(string name) => throw ReadOnly();

    public override IndexOutput CreateOutput(string name, IOContext context) => throw ReadOnly();

    public override void Sync(ICollection<string> names)
    {
        // Nothing is ever written.
    }

    protected override void Dispose(bool disposing) => _files.Clear();

    private byte[] File(string name) =>
        _files.TryGetValue(name, out var bytes) ? bytes : throw new FileNotFoundException($"no file '{name}' in the in-memory index", name);

    private static NotSupportedException ReadOnly() => new("the in-memory index is read-only");

    private sealed class Input(string description, byte[] bytes) : IndexInput(description)
    {
        private int _position;

        public override long Position => _position;

        public override long Length => bytes.Length;

        public override byte ReadByte() =>
            _position < bytes.Length ? bytes[_position++] : throw new EndOfStreamException($"read past the end of {this}");

        public override void ReadBytes(byte[] b, int offset, int len)
        {
            if (len > bytes.Length - _position)
                throw new EndOfStreamException($"read past the end of {this}");
            Buffer.BlockCopy(bytes, _position, b, offset, len);
            _position += len;
        }

        public override void Seek(long pos)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(pos);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(pos, bytes.Length);
            _position = (int)pos;
        }

        protected override void Dispose(bool disposing)
        {
            // The bytes belong to the directory.
        }
    }
}
