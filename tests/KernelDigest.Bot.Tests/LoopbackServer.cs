using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KernelDigest.Bot.Tests;

/// <summary>
/// How every test double of an outside service runs: a slim Kestrel app on a free loopback port, with none of the test
/// run's settings (appsettings.json, ASPNETCORE_URLS) and no logging, answering every request with one handler.
/// </summary>
internal static class LoopbackServer
{
    /// <summary>Starts the server and returns it with its address (e.g. http://127.0.0.1:41234).</summary>
    /// <param name="handler">Answers every request.</param>
    /// <param name="configure">Middleware to put before the handler (e.g. WebSockets).</param>
    public static (WebApplication App, Uri Address) Start(RequestDelegate handler, Action<WebApplication>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        var app = builder.Build();
        configure?.Invoke(app);
        app.Run(handler);
        // Task.Run: no test SynchronizationContext is captured while the constructor blocks on the start.
        Task.Run(() => app.StartAsync()).GetAwaiter().GetResult();
        return (app, new Uri(app.Urls.First()));
    }
}
