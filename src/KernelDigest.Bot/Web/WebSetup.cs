using System.Threading.RateLimiting;
using KernelDigest.Bot.Subscriptions;
using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace KernelDigest.Bot.Web;

/// <summary>
/// The web archive: pages per month, entry and subsystem, search, Atom feeds and a stylesheet, served from the app's
/// own Kestrel beside the webhooks. Also how chats present entries (<c>Web:BaseUrl</c> links, <c>Digest:Style</c>).
/// </summary>
public static partial class WebSetup
{
    private const string SearchPolicy = "web-search";

    /// <summary>The address Kestrel listens on when none is configured (<c>--urls</c>, <c>ASPNETCORE_URLS</c>).</summary>
    public const string DefaultUrl = "http://localhost:8080";

    // Set on every archive response. No script, no frames, nothing from elsewhere: only our stylesheet.
    private const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    public static WebApplicationBuilder AddWeb(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebOptions>()
            .BindConfiguration(WebOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // Chat links depend only on the public address, not on whether this instance serves the pages.
        builder.Services.AddSingleton(sp =>
        {
            var web = sp.GetRequiredService<IOptions<WebOptions>>().Value;
            var style = sp.GetRequiredService<IOptions<DigestOptions>>().Value.Style;
            return new ReportPresentation(web.BaseUri is { } b ? new ArchiveLinks(b) : null, style);
        });
        if (!IsEnabled(builder.Configuration))
            return builder;
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
            builder.WebHost.UseUrls(DefaultUrl);
        builder.Services.AddSingleton<ArchiveSite>();
        builder.Services.AddHostedService<ArchiveAnnouncer>();
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(SearchPolicy, context =>
            {
                var permits = context.RequestServices.GetRequiredService<IOptions<WebOptions>>().Value.SearchPermitsPerMinute;
                // Per client address. Behind a reverse proxy that is the proxy's unless forwarded headers are applied.
                return RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
            });
            limiter.OnRejected = async (rejected, ct) =>
            {
                var http = rejected.HttpContext;
                var (lang, chosen) = Language(http.Request);
                var page = ArchivePages.TooManyRequests(SiteLinks.Served("search", lang, chosen));
                var site = http.RequestServices.GetRequiredService<ArchiveSite>();
                http.Response.Headers.RetryAfter = "60";
                await WriteAsync(http, site.Error(page, lang, chosen), revalidate: false);
            };
        });
        return builder;
    }

    /// <summary>Web:Enabled, read while the host is built (it decides the default URL and the console chat's port).</summary>
    public static bool IsEnabled(IConfiguration configuration) => configuration.GetValue(WebOptions.SectionName + ":Enabled", true);

    public static WebApplication MapWeb(this WebApplication app)
    {
        if (!IsEnabled(app.Configuration))
            return app;
        app.UseRateLimiter();
        string[] read = [HttpMethods.Get, HttpMethods.Head];
        app.MapMethods("/", read, (HttpContext http, ArchiveSite site) => ServePath(http, site, ""));
        app.MapMethods("/feed.atom", read, (HttpContext http, ArchiveSite site) => ServePath(http, site, "feed.atom"));
        app.MapMethods("/subsystems", read, (HttpContext http, ArchiveSite site) => ServePath(http, site, "subsystems"));
        app.MapMethods("/subsystems/{key}", read, (HttpContext http, ArchiveSite site, string key) =>
            Canonical(http, site, key, k => "subsystems/" + k));
        app.MapMethods("/subsystems/{key}/feed.atom", read, (HttpContext http, ArchiveSite site, string key) =>
            Canonical(http, site, key, k => "subsystems/" + k + "/feed.atom"));
        app.MapMethods("/reports/{month}", read, (HttpContext http, ArchiveSite site, string month) =>
            ReportMonth.TryParse(month, out var m) && m.ToString() != month
                ? Redirect(http, "reports/" + m)
                : ServePath(http, site, "reports/" + month));
        app.MapMethods("/reports/{month}/{slug}", read, (HttpContext http, ArchiveSite site, string month, string slug) =>
            ServePath(http, site, "reports/" + month + "/" + slug));
        app.MapMethods("/" + SiteAssets.StylePath, read, (HttpContext http) =>
            WriteAsync(http, new Rendered(SiteAssets.Style, "text/css; charset=utf-8", 200, StyleTag, StyleTime), revalidate: true, maxAge: 3600));
        app.MapMethods("/" + SiteAssets.IconPath, read, (HttpContext http) =>
            WriteAsync(http, new Rendered(SiteAssets.Icon, "image/svg+xml", 200, IconTag, StyleTime), revalidate: true, maxAge: 86400));
        app.MapMethods("/search", read, (HttpContext http, ArchiveSite site) =>
        {
            var (lang, chosen) = Language(http.Request);
            _ = int.TryParse(http.Request.Query["page"], out var page);
            return WriteAsync(http, site.Search(http.Request.Query["q"], page, lang, chosen), revalidate: true);
        }).RequireRateLimiting(SearchPolicy);
        // Anything else is the archive's 404 page (webhooks, health and metrics match first). A fallback takes every
        // method, so a POST to an endpoint that is off (e.g. Discord interactions in gateway mode) stays a 404, not a 405.
        app.MapFallback("/{**path}", (HttpContext http, ArchiveSite site) => NotFound(http, site));
        return app;
    }

    private static readonly string StyleTag = "\"" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(SiteAssets.Style))[..16] + "\"";
    private static readonly string IconTag = "\"" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(SiteAssets.Icon))[..16] + "\"";
    private static readonly DateTimeOffset StyleTime = new(File.GetLastWriteTimeUtc(typeof(WebSetup).Assembly.Location) is var t && t.Year > 1980 ? t - TimeSpan.FromTicks(t.Ticks % TimeSpan.TicksPerSecond) : DateTime.UnixEpoch, TimeSpan.Zero);

    private static Task ServePath(HttpContext http, ArchiveSite site, string path)
    {
        var (lang, chosen) = Language(http.Request);
        var rendered = site.Get(path, lang, chosen, RequestBase(http.Request));
        return rendered is null ? NotFound(http, site) : WriteAsync(http, rendered, revalidate: true);
    }

    /// <summary>A subsystem by an alias (<c>kvm</c>) is sent on to its key (<c>virtualization</c>), so each page has one address.</summary>
    private static Task Canonical(HttpContext http, ArchiveSite site, string name, Func<string, string> path)
    {
        var subsystem = http.RequestServices.GetRequiredService<ReportLibrary>().Subsystems.Resolve(name);
        if (subsystem is null)
            return NotFound(http, site);
        return subsystem.Key == name ? ServePath(http, site, path(name)) : Redirect(http, path(subsystem.Key));
    }

    private static Task Redirect(HttpContext http, string path)
    {
        // Relative to the request's own path, so a proxy's prefix is kept.
        var depth = http.Request.Path.Value!.Count(c => c == '/') - 1;
        var location = string.Concat(Enumerable.Repeat("../", depth)) + path + http.Request.QueryString;
        http.Response.StatusCode = StatusCodes.Status301MovedPermanently;
        http.Response.Headers.Location = location;
        SecurityHeaders(http.Response);
        return Task.CompletedTask;
    }

    private static Task NotFound(HttpContext http, ArchiveSite site)
    {
        var (lang, chosen) = Language(http.Request);
        return WriteAsync(http, site.Error(ArchivePages.NotFound(SiteLinks.Served(NotFoundPath(http.Request), lang, chosen)), lang, chosen), revalidate: false);
    }

    // The 404 page's links are relative to where the reader is.
    private static string NotFoundPath(HttpRequest request) => request.Path.Value is { Length: > 1 } p ? p[1..] : "";

    private static Uri RequestBase(HttpRequest request) => new($"{request.Scheme}://{request.Host}{request.PathBase}/");

    /// <summary>
    /// The reader's language: <c>?lang=</c> when they chose by link, else the first of <c>Accept-Language</c> (by
    /// quality) that is English or Chinese, else Chinese, as most readers of the report are.
    /// </summary>
    internal static (Lang Lang, bool Chosen) Language(HttpRequest request)
    {
        if (request.Query["lang"] is [{ } code] && (code.StartsWith("en", StringComparison.OrdinalIgnoreCase) || code.StartsWith("zh", StringComparison.OrdinalIgnoreCase)))
            return (Langs.FromCode(code), true);
        foreach (var value in request.GetTypedHeaders().AcceptLanguage.OrderByDescending(v => v.Quality ?? 1))
        {
            var tag = value.Value.ToString();
            if (tag.StartsWith("en", StringComparison.OrdinalIgnoreCase))
                return (Lang.En, false);
            if (tag.StartsWith("zh", StringComparison.OrdinalIgnoreCase))
                return (Lang.Zh, false);
        }
        return (Lang.Zh, false);
    }

    private static void SecurityHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
        headers.XFrameOptions = "DENY";
    }

    /// <summary>
    /// Sends a body with its validators, or 304 when the client's copy is current (If-None-Match first, else
    /// If-Modified-Since, as RFC 9110 orders them); HEAD gets the headers only.
    /// </summary>
    private static Task WriteAsync(HttpContext http, Rendered rendered, bool revalidate, int maxAge = 60)
    {
        var request = http.Request;
        var response = http.Response;
        SecurityHeaders(response);
        response.Headers.Vary = HeaderNames.AcceptLanguage;
        if (rendered.Status == StatusCodes.Status200OK)
        {
            response.Headers.ETag = rendered.ETag;
            response.Headers.LastModified = rendered.LastModified.ToString("R");
            response.Headers.CacheControl = $"public, max-age={maxAge}";
            if (revalidate && NotModified(request, rendered))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return Task.CompletedTask;
            }
        }
        else
        {
            response.Headers.CacheControl = "no-store";
        }
        response.StatusCode = rendered.Status;
        response.ContentType = rendered.ContentType;
        response.ContentLength = rendered.Body.Length;
        return HttpMethods.IsHead(request.Method) ? Task.CompletedTask : response.Body.WriteAsync(rendered.Body).AsTask();
    }

    private static bool NotModified(HttpRequest request, Rendered rendered)
    {
        var headers = request.GetTypedHeaders();
        if (headers.IfNoneMatch is { Count: > 0 } tags)
            return tags.Any(t => t.Tag.Equals("*", StringComparison.Ordinal) || t.Tag.Value == rendered.ETag || t.Tag.Value == "W/" + rendered.ETag);
        return headers.IfModifiedSince is { } since && rendered.LastModified <= since;
    }

    /// <summary>Says where the archive can be opened, once the server listens (the README's run command relies on it).</summary>
    private sealed partial class ArchiveAnnouncer(IServer server, IHostApplicationLifetime lifetime, ILogger<ArchiveAnnouncer> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            lifetime.ApplicationStarted.Register(() =>
            {
                var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
                foreach (var address in addresses)
                    Serving(logger, address.TrimEnd('/') + "/");
            });
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Information, Message = "Web archive: open {Address} in a browser")]
        private static partial void Serving(ILogger logger, string address);
    }
}
