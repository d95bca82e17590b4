using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using KernelDigest.Core.Lore;
using MimeKit;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace KernelDigest.Bot.Lore;

/// <summary>
/// A polite public-inbox client. One request at a time per process, started no faster than
/// <see cref="LoreOptions.MaxRequestsPerMinute"/>; 429, 5xx, timeouts and cut-off answers are retried with back-off
/// (Polly), waiting out <c>Retry-After</c> when the server names it; answers are cached on disk by URL. Every failure
/// that survives the retries is a <see cref="LoreException"/> naming the URL and what came back.
/// </summary>
public sealed partial class LoreClient : IDisposable
{
    /// <summary>public-inbox's search page size (<c>$LIM</c>): a page with fewer entries is the last.</summary>
    public const int PageSize = 200;

    private readonly HttpClient _http;
    private readonly LoreOptions _options;
    private readonly LoreCache? _cache;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _pipeline;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private DateTimeOffset _nextStart = DateTimeOffset.MinValue;
    private int _requests;
    private int _cacheHits;

    public LoreClient(LoreOptions options, TimeProvider time, ILogger<LoreClient> logger, HttpMessageHandler? handler = null)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _cache = string.IsNullOrWhiteSpace(options.CacheDirectory) ? null : new LoreCache(options.CacheDirectory);
        _http = new HttpClient(handler ?? new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate })
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan, // each attempt has its own timeout below
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(options.EffectiveUserAgent);
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = time };
        if (options.MaxRetries > 0)
        {
            pipeline.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromSeconds(1),
                MaxDelay = TimeSpan.FromSeconds(60),
                ShouldHandle = new PredicateBuilder().Handle<TransientAnswerException>().Handle<TimeoutRejectedException>()
                    .Handle<HttpRequestException>().Handle<IOException>(),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is TransientAnswerException { RetryAfter: { } after } ? after : (TimeSpan?)null),
                OnRetry = args =>
                {
                    LogRetry(args.AttemptNumber + 1, Describe(args.Outcome.Exception), args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            });
        }
        _pipeline = pipeline.AddTimeout(options.Timeout).Build(); // inside the retry: each attempt gets the whole timeout
    }

    /// <summary>Requests sent over the network (retries included).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Counts the requests one piece of work makes, however many others share the client meanwhile.</summary>
    public sealed class Tally
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        internal void Add() => Interlocked.Increment(ref _count);
    }

    // The tally of the async flow a request is sent from: set in a caller's async method, it flows to what that method
    // awaits and is gone when it returns, so concurrent work on the same client is counted apart.
    private static readonly AsyncLocal<Tally?> CurrentTally = new();

    /// <summary>Starts counting the requests made from here on by the calling async method and what it awaits.</summary>
    public static Tally BeginTally() => CurrentTally.Value = new Tally();

    /// <summary>Answers taken from the cache instead of the network.</summary>
    public int CacheHits => Volatile.Read(ref _cacheHits);

    public Uri BaseUrl => _options.BaseUri;

    /// <summary>
    /// Every message of an inbox matching a query, page by page (Atom, newest first, 200 a page) until a short page,
    /// a bare <c>&lt;/feed&gt;</c> past the end, or public-inbox's 404 "[No results found]".
    /// </summary>
    /// <param name="settledAfter">When the query's date range is over for good: pages fetched after it are final.</param>
    /// <param name="limit">Stop once this many are read (a page at a time): enough to tell a query is too broad.</param>
    public async Task<IReadOnlyList<LoreMessage>> SearchAsync(string inbox, string query, DateTimeOffset settledAfter, Action<int, int>? onPage, CancellationToken ct,
        int limit = int.MaxValue)
    {
        var all = new List<LoreMessage>();
        for (var offset = 0; all.Count < limit; offset += PageSize)
        {
            var url = $"{BaseUrl}{inbox}/?q={EscapeQuery(query)}&x=A" + (offset > 0 ? $"&o={offset}" : "");
            var page = await GetAsync(url, fetched => fetched >= settledAfter, body => LoreAtom.Parse(url, body, inbox, BaseUrl), ct);
            onPage?.Invoke(offset / PageSize + 1, page?.Count ?? 0);
            if (page is null)
                break;
            all.AddRange(page);
            if (page.Count < PageSize)
                break;
        }
        return all;
    }

    /// <summary>A whole thread (<c>&lt;msgid&gt;/t.mbox.gz</c>): every message with its exact text, parsed with MimeKit.</summary>
    public async Task<IReadOnlyList<LoreMessage>> ThreadAsync(string inbox, string messageId, CancellationToken ct)
    {
        var url = $"{BaseUrl}{inbox}/{LoreUrls.EscapeMessageId(messageId)}/t.mbox.gz";
        var messages = await GetAsync(url, _ => false, answer => answer.Status == 404 ? null : ReadMbox(url, answer, inbox), ct);
        return messages ?? throw new LoreException(url, "404 Not Found: lore has no such message");
    }

    private List<LoreMessage> ReadMbox(string url, Fetched answer, string inbox)
    {
        if (answer.ContentType is "text/html")
            throw new LoreException(url, $"not a gzipped mbox (text/html{LoreAtom.TitleOf(System.Text.Encoding.UTF8.GetString(answer.Body))})");
        var list = new List<LoreMessage>();
        try
        {
            using var gzip = new GZipStream(new MemoryStream(answer.Body), CompressionMode.Decompress);
            var parser = new MimeParser(gzip, MimeFormat.Mbox);
            while (!parser.IsEndOfStream)
                list.Add(LoreMessage.FromMime(parser.ParseMessage(), inbox, BaseUrl));
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException or ParseException)
        {
            throw new LoreException(url, $"not a gzipped mbox ({answer.ContentType ?? "no content type"}: {ex.Message})");
        }
        return list;
    }

    internal sealed record Fetched(int Status, string? ContentType, byte[] Body);

    /// <summary>
    /// One GET through cache, pacing and retries. <paramref name="read"/> turns the answer into a result (null for
    /// "nothing there") or throws a <see cref="LoreException"/>; only answers it accepted are cached.
    /// </summary>
    private async Task<T?> GetAsync<T>(string url, Func<DateTimeOffset, bool> isFinal, Func<Fetched, T?> read, CancellationToken ct)
        where T : class
    {
        if (_cache?.Read(url) is { } hit && (isFinal(hit.Fetched) || _time.GetUtcNow() - hit.Fetched < _options.CacheTtl))
        {
            Interlocked.Increment(ref _cacheHits);
            return read(new Fetched(hit.Status, hit.ContentType, hit.Body));
        }
        var attempts = 0;
        Fetched answer;
        try
        {
            answer = await _pipeline.ExecuteAsync(async token =>
            {
                attempts++;
                return await SendAsync(url, token);
            }, ct);
        }
        catch (Exception ex) when (ex is TransientAnswerException or TimeoutRejectedException or HttpRequestException or IOException)
        {
            throw new LoreException(url, Describe(ex) + (attempts > 1 ? $" ({attempts} attempts)" : ""));
        }
        var fetchedAt = _time.GetUtcNow();
        var result = read(answer);
        _cache?.Write(url, new LoreCache.Entry(fetchedAt, answer.Status, answer.ContentType, answer.Body));
        return result;
    }

    private async Task<Fetched> SendAsync(string url, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var wait = _nextStart - _time.GetUtcNow();
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, _time, ct);
            _nextStart = _time.GetUtcNow() + TimeSpan.FromMinutes(1.0 / _options.MaxRequestsPerMinute);
            Interlocked.Increment(ref _requests);
            CurrentTally.Value?.Add();
            using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
            var status = (int)response.StatusCode;
            if (status == 429 || status >= 500)
            {
                var after = RetryAfter(response.Headers.RetryAfter);
                if (after is { } pause)
                    _nextStart = _time.GetUtcNow() + pause; // the server asked the whole client to wait, not just this URL
                throw new TransientAnswerException(status, response.ReasonPhrase, after);
            }
            // The whole body is read inside the attempt, so an answer cut off half-way is retried like a timeout.
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            if (status is not (200 or 404))
                throw new LoreException(url, $"{status} {response.ReasonPhrase}: {LoreAtom.FirstLine(body)}");
            return new Fetched(status, response.Content.Headers.ContentType?.MediaType, body);
        }
        finally
        {
            _gate.Release();
        }
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        var after = header?.Delta ?? (header?.Date is { } date ? date - _time.GetUtcNow() : null);
        return after is { } a ? TimeSpan.FromSeconds(Math.Clamp(a.TotalSeconds, 0, 600)) : null;
    }

    /// <summary>A query for the URL: spaces as '+', a literal '+' as %2B (public-inbox's own form).</summary>
    internal static string EscapeQuery(string query) => Uri.EscapeDataString(query).Replace("%20", "+", StringComparison.Ordinal);

    private string Describe(Exception? ex) => ex switch
    {
        TransientAnswerException t => $"{t.Status} {t.Reason}" + (t.RetryAfter is { } a ? $" (Retry-After {a.TotalSeconds:0} s)" : ""),
        TimeoutRejectedException => $"no complete answer within {_options.Timeout.TotalSeconds:0.#} s",
        HttpRequestException h when Inner<IOException>(h) is { } io => $"the answer was cut off ({io.Message})",
        HttpRequestException h => $"cannot reach the server ({h.Message})",
        IOException io => $"the answer was cut off ({io.Message})",
        null => "unknown failure",
        _ => ex.Message,
    };

    private static T? Inner<T>(Exception ex) where T : Exception
    {
        for (var e = ex.InnerException; e is not null; e = e.InnerException)
        {
            if (e is T found)
                return found;
        }
        return null;
    }

    public void Dispose()
    {
        _http.Dispose();
        _gate.Dispose();
    }

    /// <summary>A 429 or 5xx: worth another try, after <see cref="RetryAfter"/> when the server said.</summary>
    private sealed class TransientAnswerException(int status, string? reason, TimeSpan? retryAfter) : Exception($"{status} {reason}")
    {
        public int Status { get; } = status;
        public string? Reason { get; } = reason;
        public TimeSpan? RetryAfter { get; } = retryAfter;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "lore: attempt {Attempt} after {Problem}, waiting {Delay}")]
    private partial void LogRetry(int attempt, string problem, TimeSpan delay);
}
