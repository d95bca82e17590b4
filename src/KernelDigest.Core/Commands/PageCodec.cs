using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;

namespace KernelDigest.Core.Commands;

/// <summary>What a paged search asked for: the words and the filters, as <c>/patch</c> reads them.</summary>
public sealed record SearchRequest(string Text, string? Subsystem = null, string? Month = null)
{
    /// <summary>The /patch arguments that run this search again ("TDP MMU subsystem:kvm month:2020-09").</summary>
    public string Arguments =>
        string.Join(' ', new[] { Text, Subsystem is null ? null : "subsystem:" + Subsystem, Month is null ? null : "month:" + Month }
            .Where(p => !string.IsNullOrEmpty(p)));
}

/// <summary>How much a platform lets a button carry: Telegram's callback_data is 64 bytes, Discord's custom_id 100 characters.</summary>
public sealed record TokenLimit(int Max, bool CountsBytes)
{
    public static TokenLimit Telegram { get; } = new(64, CountsBytes: true);
    public static TokenLimit Discord { get; } = new(100, CountsBytes: false);

    public bool Fits(string token) => (CountsBytes ? Encoding.UTF8.GetByteCount(token) : token.Length) <= Max;
}

/// <summary>
/// A pressed button, read back: the search and the page, or the command an action button runs
/// (<see cref="ReplyAction"/>), or why it cannot be answered.
/// </summary>
public sealed record PageTurn(SearchRequest? Search, int Page, bool Expired, string? CommandLine = null)
{
    public static PageTurn Invalid { get; } = new(null, 0, false);
}

/// <summary>
/// Turns a page of a search into a button's token and back, for every platform. A search that fits rides in the token
/// itself ("p|2|kvm|2020-09|TDP MMU"); one that does not is kept here under a short key derived from it
/// ("k|2|…"), for <see cref="KeyLifetime"/>. A restart, or another instance of a cluster, drops the kept ones: the
/// button then says the search has expired. Nothing is read back from rendered, localized text.
/// </summary>
public sealed class PageCodec : IDisposable
{
    /// <summary>How long a long search stays pageable.</summary>
    public static readonly TimeSpan KeyLifetime = TimeSpan.FromDays(1);

    /// <summary>How many long searches are kept at most; beyond it the cache compacts the oldest away.</summary>
    public const int MaxKeys = 10_000;

    private const string Inline = "p|";
    private const string Keyed = "k|";
    private const string Legacy = "pg|";
    private const string Follow = "f|";
    private const string FollowCommand = "/follow ";
    private const string CommandKeyed = "j|";

    private readonly MemoryCache _keys = new(new MemoryCacheOptions { SizeLimit = MaxKeys });

    public string Encode(SearchRequest search, int page, TokenLimit limit)
    {
        var number = page.ToString(CultureInfo.InvariantCulture);
        var inline = $"{Inline}{number}|{search.Subsystem}|{search.Month}|{search.Text}";
        if (limit.Fits(inline))
            return inline;
        // The key depends on the search only, so every page of it (and every repeat of it) shares one entry.
        var key = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(search.Arguments)), 0, 12)
            .Replace('+', '-').Replace('/', '_');
        _keys.Set(key, search, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = KeyLifetime });
        return $"{Keyed}{number}|{key}";
    }

    /// <summary>
    /// An action button's token: a /follow carries its argument ("f|kvm/&lt;msgid&gt;", lore's short form, within
    /// Telegram's 64 bytes for nearly every Message-ID); anything longer, or any other command, is kept under a key,
    /// which a restart forgets.
    /// </summary>
    public string EncodeCommand(string commandLine, TokenLimit limit)
    {
        if (commandLine.StartsWith(FollowCommand, StringComparison.Ordinal) && Follow + commandLine[FollowCommand.Length..] is var inline && limit.Fits(inline))
            return inline;
        var key = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes("c\n" + commandLine)), 0, 12)
            .Replace('+', '-').Replace('/', '_');
        _keys.Set(key, commandLine, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = KeyLifetime });
        return CommandKeyed + key;
    }

    /// <summary>
    /// Whether a token is an action button's: its answer is a new message, not the page it was pressed on (adapters
    /// choose how to acknowledge before the answer is known).
    /// </summary>
    public static bool IsCommand(string? token) =>
        token is not null && (token.StartsWith(Follow, StringComparison.Ordinal) || token.StartsWith(CommandKeyed, StringComparison.Ordinal));

    public PageTurn Decode(string? token)
    {
        if (token is not null && token.StartsWith(Follow, StringComparison.Ordinal) && token.Length > Follow.Length + 1)
            return new PageTurn(null, 0, false, FollowCommand + token[Follow.Length..]);
        if (token is not null && token.StartsWith(CommandKeyed, StringComparison.Ordinal))
            return _keys.TryGetValue(token.Substring(CommandKeyed.Length), out string? line) && line is not null
                ? new PageTurn(null, 0, false, line)
                : new PageTurn(null, 0, Expired: true);
        if (token is null || token.Length < 4)
            return PageTurn.Invalid;
        // Buttons sent before this codec: "pg|{page}|{query}", or "pg|{page}|#" when the query was left out.
        if (token.StartsWith(Legacy, StringComparison.Ordinal))
            return DecodeLegacy(token);
        var prefix = token[..2];
        if (prefix is not (Inline or Keyed))
            return PageTurn.Invalid;
        var bar = token.IndexOf('|', 2);
        if (bar < 0 || !int.TryParse(token.AsSpan(2, bar - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var page) || page is < 1 or > 10_000)
            return PageTurn.Invalid;
        var rest = token[(bar + 1)..];
        if (prefix == Keyed)
            return _keys.TryGetValue(rest, out SearchRequest? kept) && kept is not null ? new PageTurn(kept, page, false) : new PageTurn(null, page, true);
        var parts = rest.Split('|', 3);
        if (parts.Length != 3 || parts.All(p => p.Length == 0))
            return PageTurn.Invalid;
        return new PageTurn(new SearchRequest(parts[2], parts[0].Length > 0 ? parts[0] : null, parts[1].Length > 0 ? parts[1] : null), page, false);
    }

    private static PageTurn DecodeLegacy(string token)
    {
        var bar = token.IndexOf('|', Legacy.Length);
        if (bar < 0 || !int.TryParse(token.AsSpan(Legacy.Length, bar - Legacy.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var page)
            || page is < 1 or > 10_000)
            return PageTurn.Invalid;
        var query = token[(bar + 1)..];
        return query is "#" or "" ? new PageTurn(null, page, Expired: true) : new PageTurn(new SearchRequest(query), page, false);
    }

    public void Dispose() => _keys.Dispose();
}
