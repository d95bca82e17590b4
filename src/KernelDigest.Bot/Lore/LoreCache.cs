using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace KernelDigest.Bot.Lore;

/// <summary>
/// Answers kept on disk, keyed by URL, with the time they were fetched. public-inbox sends no validators (no ETag,
/// no Last-Modified) for feeds, searches or mbox, so freshness is decided by time: the caller says how old an answer
/// may be for its kind (a message by Message-ID never changes; a search of a month long past is final).
/// </summary>
public sealed class LoreCache(string directory)
{
    public sealed record Entry(DateTimeOffset Fetched, int Status, string? ContentType, byte[] Body);

    private sealed record Header(string Url, DateTimeOffset Fetched, int Status, string? ContentType);

    public string Directory { get; } = Path.GetFullPath(directory);

    public Entry? Read(string url)
    {
        var path = PathOf(url);
        if (!File.Exists(path))
            return null;
        try
        {
            var bytes = File.ReadAllBytes(path);
            var newline = Array.IndexOf(bytes, (byte)'\n');
            if (newline < 0)
                return null;
            var header = JsonSerializer.Deserialize<Header>(bytes.AsSpan(0, newline));
            // Two URLs with one hash (never seen, but cheap to rule out) must not answer for each other.
            return header is null || header.Url != url ? null : new Entry(header.Fetched, header.Status, header.ContentType, bytes[(newline + 1)..]);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return null; // a damaged entry is fetched again
        }
    }

    /// <summary>Writes to a temporary file and renames it, so a crash never leaves half an answer to be read back.</summary>
    public void Write(string url, Entry entry)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = PathOf(url);
        var temp = path + "." + Environment.ProcessId + ".tmp";
        using (var stream = File.Create(temp))
        {
            stream.Write(JsonSerializer.SerializeToUtf8Bytes(new Header(url, entry.Fetched, entry.Status, entry.ContentType)));
            stream.WriteByte((byte)'\n');
            stream.Write(entry.Body);
        }
        File.Move(temp, path, overwrite: true);
    }

    private string PathOf(string url) =>
        Path.Combine(Directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url)))[..32] + ".cache");
}
