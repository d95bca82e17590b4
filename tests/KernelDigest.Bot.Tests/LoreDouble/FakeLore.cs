using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KernelDigest.Bot.Tests.LoreDouble;

/// <summary>
/// A public-inbox WWW double on Kestrel (127.0.0.1, a free port), serving an <see cref="LoreArchive"/> in the formats
/// of /work/shared/reference/lore.md: Atom search (<c>?q=…&amp;x=A</c>, paged by <c>o</c>, 200 a page, newest first,
/// 404 HTML "[No results found]", a bare <c>&lt;/feed&gt;</c> past the end, 400 for a bad query), raw messages
/// (<c>&lt;msgid&gt;/raw</c>, mboxrd, 404 "Not Found"), thread mbox (<c>t.mbox.gz</c>, gzipped mboxrd in arrival
/// order, 404 with an empty body). Faults on demand: an HTTP status with Retry-After, a slow answer, a body cut off
/// mid-way, a bot-wall HTML page. Every request is recorded.
/// </summary>
public sealed partial class FakeLore : IAsyncDisposable
{
    public const int PageSize = 200;

    /// <summary>A request as the double saw it: <paramref name="Time"/> is when it arrived.</summary>
    public sealed record Request(string Method, string PathAndQuery, string? UserAgent, DateTimeOffset Time, int Status);

    private sealed record Fault(string? PathContains, Func<HttpContext, Task<bool>> Apply)
    {
        public int Left { get; set; }
    }

    private readonly WebApplication _app;
    private readonly List<Request> _requests = [];
    private readonly List<Fault> _faults = [];
    private readonly Lock _gate = new();

    public LoreArchive Archive { get; }

    /// <summary>e.g. <c>http://127.0.0.1:41234/</c>, as <c>Lore:BaseUrl</c>.</summary>
    public Uri BaseUrl { get; }

    private FakeLore(LoreArchive archive)
    {
        Archive = archive;
        (_app, var address) = LoopbackServer.Start(HandleAsync);
        BaseUrl = new Uri(address, "/");
    }

    public static Task<FakeLore> StartAsync(LoreArchive archive) => Task.Run(() => new FakeLore(archive));

    public IReadOnlyList<Request> Requests { get { lock (_gate) return [.. _requests]; } }

    public void ClearRequests()
    {
        lock (_gate)
            _requests.Clear();
    }

    // ------------------------------------------------------------------ faults

    /// <summary>The next <paramref name="times"/> requests (whose path contains <paramref name="pathContains"/>) get this status, with Retry-After in seconds when given.</summary>
    public void FailNext(int status, int times = 1, int? retryAfterSeconds = null, string? pathContains = null) =>
        AddFault(pathContains, times, async ctx =>
        {
            ctx.Response.StatusCode = status;
            if (retryAfterSeconds is { } s)
                ctx.Response.Headers.RetryAfter = s.ToString(CultureInfo.InvariantCulture);
            ctx.Response.ContentType = "text/html; charset=UTF-8";
            await ctx.Response.WriteAsync(status == 503 ? "<html><body>too busy</body></html>" : $"<html><body>{status}</body></html>");
            return true;
        });

    /// <summary>The next requests wait this long before they are answered normally.</summary>
    public void SlowNext(TimeSpan delay, int times = 1, string? pathContains = null) =>
        AddFault(pathContains, times, async ctx =>
        {
            await Task.Delay(delay, ctx.RequestAborted);
            return false;
        });

    /// <summary>The next answers promise their full length but stop half-way and drop the connection.</summary>
    public void TruncateNext(int times = 1, string? pathContains = null) =>
        AddFault(pathContains, times, ctx =>
        {
            ctx.Items["truncate"] = true;
            return Task.FromResult(false);
        });

    /// <summary>The next answers are a 200 HTML page, like a bot wall (Anubis) in front of lore.</summary>
    public void ServeHtmlNext(int times = 1, string? pathContains = null) =>
        AddFault(pathContains, times, async ctx =>
        {
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "text/html; charset=utf-8";
            await ctx.Response.WriteAsync("<!doctype html><html><head><title>Making sure you&#39;re not a bot!</title></head><body>…</body></html>");
            return true;
        });

    private void AddFault(string? pathContains, int times, Func<HttpContext, Task<bool>> apply)
    {
        lock (_gate)
            _faults.Add(new Fault(pathContains, apply) { Left = times });
    }

    private Fault? TakeFault(string pathAndQuery)
    {
        lock (_gate)
        {
            var fault = _faults.FirstOrDefault(f => f.Left > 0 && (f.PathContains is null || pathAndQuery.Contains(f.PathContains, StringComparison.Ordinal)));
            if (fault is not null && --fault.Left == 0)
                _faults.Remove(fault);
            return fault;
        }
    }

    // ------------------------------------------------------------------ routes

    private async Task HandleAsync(HttpContext ctx)
    {
        var pathAndQuery = ctx.Request.Path.Value + ctx.Request.QueryString.Value;
        var arrived = DateTimeOffset.UtcNow;
        // Recorded (with the time the request arrived) as the answer starts, before the client can see it: a test reading Requests after its call sees this one.
        ctx.Response.OnStarting(() =>
        {
            lock (_gate)
                _requests.Add(new Request(ctx.Request.Method, pathAndQuery, ctx.Request.Headers.UserAgent.ToString(), arrived, ctx.Response.StatusCode));
            return Task.CompletedTask;
        });
        {
            if (TakeFault(pathAndQuery) is { } fault && await fault.Apply(ctx))
                return;
            var raw = ctx.Request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? ctx.Request.Path.Value ?? "/";
            var path = raw.Split('?')[0];
            var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
            if (ctx.Request.Method is not ("GET" or "HEAD"))
            {
                await Text(ctx, 405, "text/plain", "Method Not Allowed\n");
                return;
            }
            switch (segments)
            {
                case [var inbox] when path.EndsWith('/') && Archive.Holds(inbox):
                    await SearchAsync(ctx, inbox);
                    break;
                case [var inbox, var id, "raw"] when Archive.Holds(inbox):
                    await RawAsync(ctx, inbox, id);
                    break;
                case [var inbox, var id, "t.mbox.gz" or "t.mbox"] when Archive.Holds(inbox):
                    await ThreadMboxAsync(ctx, inbox, id);
                    break;
                default:
                    await Text(ctx, 404, "text/plain", "404 Not Found\n");
                    break;
            }
        }
    }

    private async Task RawAsync(HttpContext ctx, string inbox, string id)
    {
        var all = Archive.In(inbox).Where(m => m.MessageId == id).ToList();
        if (all.Count == 0)
        {
            ctx.Response.Headers.Expires = "Fri, 01 Jan 1980 00:00:00 GMT";
            ctx.Response.Headers.CacheControl = "no-cache, max-age=0, must-revalidate";
            await Text(ctx, 404, "text/plain", "Not Found\n");
            return;
        }
        await Send(ctx, 200, "text/plain; charset=UTF-8", Encoding.UTF8.GetBytes(LoreArchive.ToMboxrd(all)));
    }

    private async Task ThreadMboxAsync(HttpContext ctx, string inbox, string id)
    {
        if (Archive.Find(inbox, id) is null)
        {
            await Send(ctx, 404, "text/plain", []);
            return;
        }
        var mbox = Encoding.UTF8.GetBytes(LoreArchive.ToMboxrd(Archive.Thread(inbox, id)));
        using var gz = new MemoryStream();
        using (var zip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
            zip.Write(mbox);
        ctx.Response.Headers.ContentDisposition = "inline; filename=thread.mbox.gz";
        await Send(ctx, 200, "application/gzip", gz.ToArray());
    }

    private async Task SearchAsync(HttpContext ctx, string inbox)
    {
        var q = ctx.Request.Query["q"].ToString();
        var atom = ctx.Request.Query["x"].ToString() == "A";
        var offset = int.TryParse(ctx.Request.Query["o"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var o) ? o : 0;
        var limit = int.TryParse(ctx.Request.Query["l"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? Math.Clamp(l, 1, PageSize) : PageSize;
        if (!SearchQuery.TryParse(q, out var query, out var problem))
        {
            await Text(ctx, 400, "text/html; charset=UTF-8", $"<html><body><pre>Bad query: {Html(problem)}</pre></body></html>");
            return;
        }
        // Received time, newest first; a negative offset counts from the oldest (public-inbox's o=-1).
        var hits = Archive.In(inbox).Where(query.Matches).OrderByDescending(m => m.Date).ThenByDescending(m => m.Arrival).ToList();
        if (hits.Count == 0)
        {
            await Text(ctx, 404, "text/html; charset=UTF-8", $"<html><head><title>{Html(q)} - search results</title></head><body><pre>[No results found]</pre></body></html>");
            return;
        }
        if (offset < 0)
        {
            hits.Reverse();
            offset = -offset - 1;
        }
        var page = hits.Skip(offset).Take(limit).ToList();
        if (!atom)
        {
            await Text(ctx, 200, "text/html; charset=UTF-8", $"<html><body><pre>Results {offset + 1}-{offset + page.Count} of {hits.Count}</pre></body></html>");
            return;
        }
        if (page.Count == 0)
        {
            // public-inbox emits the feed header with the first entry: past the end only the closing tag is left.
            await Text(ctx, 200, "application/atom+xml", "</feed>");
            return;
        }
        var inboxUrl = $"{BaseUrl}{inbox}/";
        var newest = Archive.In(inbox).Max(m => m.Date);
        await Send(ctx, 200, "application/atom+xml", Encoding.ASCII.GetBytes(AtomFeed(inboxUrl, q, ctx.Request.QueryString.Value ?? "", page, newest)));
    }

    // ------------------------------------------------------------------ Atom (WwwAtomStream.pm)

    internal static string AtomFeed(string inboxUrl, string q, string queryString, IEnumerable<ArchivedMessage> entries, DateTimeOffset updated)
    {
        var withoutX = Regex.Replace(queryString.TrimStart('?'), @"(^|&)x=A", "");
        var sb = new StringBuilder();
        sb.Append("<?xml version=\"1.0\" encoding=\"us-ascii\"?>\n<feed\nxmlns=\"http://www.w3.org/2005/Atom\"\nxmlns:thr=\"http://purl.org/syndication/thread/1.0\">");
        AppendTitle(sb, q + " - search results");
        sb.Append("<link\nrel=\"alternate\"\ntype=\"text/html\"\nhref=\"").Append(Escape(inboxUrl + "?" + withoutX.TrimStart('&'))).Append("\"/>");
        sb.Append("<link\nrel=\"self\"\nhref=\"").Append(Escape(inboxUrl + queryString).Replace("&#38;", "&amp;", StringComparison.Ordinal)).Append("\"/>");
        sb.Append("<id>urn:uuid:").Append(H("q\n" + q)).Append("</id><updated>").Append(Time(updated)).Append("</updated>");
        foreach (var m in entries)
            AppendEntry(sb, inboxUrl, m);
        sb.Append("</feed>");
        return sb.ToString();
    }

    private static void AppendEntry(StringBuilder sb, string inboxUrl, ArchivedMessage m)
    {
        sb.Append("<entry><author><name>").Append(Escape(m.FromName)).Append("</name><email>").Append(Escape(m.FromEmail)).Append("</email></author>");
        AppendTitle(sb, string.IsNullOrWhiteSpace(m.Subject) ? "(no subject)" : Regex.Replace(m.Subject, @"\s+", " ").Trim());
        sb.Append("<updated>").Append(Time(m.Date)).Append("</updated>");
        sb.Append("<link\nhref=\"").Append(Escape(inboxUrl + MidEscape(m.MessageId) + "/")).Append("\"/>");
        sb.Append("<id>urn:uuid:").Append(H(m.MessageId)).Append("</id>");
        if (m.Parent is { } parent)
            sb.Append("<thr:in-reply-to\nref=\"urn:uuid:").Append(H(parent)).Append("\"\nhref=\"").Append(Escape(inboxUrl + MidEscape(parent) + "/")).Append("\"/>");
        sb.Append("<content\ntype=\"xhtml\"><div\nxmlns=\"http://www.w3.org/1999/xhtml\"><pre\nstyle=\"white-space:pre-wrap\">");
        AppendBody(sb, m.Body);
        sb.Append("</pre></div></content></entry>");
    }

    /// <summary>The message text with public-inbox's markup: quoted blocks, diff spans, links.</summary>
    private static void AppendBody(StringBuilder sb, string body)
    {
        var lines = body.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        string? open = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i] + (i < lines.Length - 1 ? "\n" : "");
            var kind = lines[i] switch
            {
                var s when s.StartsWith('>') => "q",
                var s when s.StartsWith("diff --git ", StringComparison.Ordinal) || s.StartsWith("--- a/", StringComparison.Ordinal) || s.StartsWith("+++ b/", StringComparison.Ordinal) || s.StartsWith("index ", StringComparison.Ordinal) => "head",
                var s when s.StartsWith("@@ ", StringComparison.Ordinal) => "hunk",
                var s when s.StartsWith('+') => "add",
                var s when s.StartsWith('-') && s != "-- " && s != "---" => "del",
                _ => null,
            };
            if (kind != open)
            {
                if (open is not null)
                    sb.Append("</span>");
                if (kind is not null)
                    sb.Append("<span\nclass=\"").Append(kind).Append("\">");
                open = kind;
            }
            AppendLinked(sb, line);
        }
        if (open is not null)
            sb.Append("</span>");
    }

    private static void AppendLinked(StringBuilder sb, string line)
    {
        var last = 0;
        foreach (Match url in UrlRe().Matches(line))
        {
            sb.Append(Escape(line[last..url.Index]));
            sb.Append("<a\nhref=\"").Append(Escape(url.Value)).Append("\">").Append(Escape(url.Value)).Append("</a>");
            last = url.Index + url.Length;
        }
        sb.Append(Escape(line[last..]));
    }

    private static void AppendTitle(StringBuilder sb, string title)
    {
        var escaped = Escape(title);
        sb.Append(escaped.Contains('&', StringComparison.Ordinal) ? "<title\ntype=\"html\">" : "<title>").Append(escaped).Append("</title>");
    }

    /// <summary>US-ASCII XML escaping as public-inbox does it: &amp;#34; &amp;#38; &amp;#39; &amp;lt; &amp;gt; and &amp;#NNNN; for non-ASCII.</summary>
    internal static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length + 16);
        foreach (var rune in text.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': sb.Append("&#34;"); break;
                case '&': sb.Append("&#38;"); break;
                case '\'': sb.Append("&#39;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '\n' or '\t': sb.Append((char)rune.Value); break;
                case < 0x20: sb.Append("\\x").Append(rune.Value.ToString("x2", CultureInfo.InvariantCulture)); break;
                case < 0x80: sb.Append((char)rune.Value); break;
                default: sb.Append("&#").Append(rune.Value.ToString(CultureInfo.InvariantCulture)).Append(';'); break;
            }
        }
        return sb.ToString();
    }

    internal static string MidEscape(string id) => KernelDigest.Core.Lore.LoreUrls.EscapeMessageId(id);

    /// <summary>public-inbox's urn:uuid: the first 32 hex digits of SHA-1, grouped 8-4-4-4-12.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "public-inbox's id format is SHA-1 by definition; nothing is protected by it")]
    internal static string H(string s)
    {
        var hex = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(s)))[..32];
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Html(string s) => System.Net.WebUtility.HtmlEncode(s);

    private static Task Text(HttpContext ctx, int status, string contentType, string body) => Send(ctx, status, contentType, Encoding.UTF8.GetBytes(body));

    private static async Task Send(HttpContext ctx, int status, string contentType, byte[] body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = contentType;
        if (ctx.Items.ContainsKey("truncate") && body.Length > 1)
        {
            // Promise the whole body, send half, and drop the connection: the client sees the answer end early.
            ctx.Response.ContentLength = body.Length;
            await ctx.Response.Body.WriteAsync(body.AsMemory(0, body.Length / 2));
            await ctx.Response.Body.FlushAsync();
            ctx.Abort();
            return;
        }
        ctx.Response.ContentLength = body.Length;
        if (ctx.Request.Method != "HEAD")
            await ctx.Response.Body.WriteAsync(body);
    }

    [GeneratedRegex(@"https?://[^\s<>""]+")]
    private static partial Regex UrlRe();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
