using KernelDigest.Bot.Cli;
using KernelDigest.Bot.ConsoleChat;
using KernelDigest.Bot.Reports;
using KernelDigest.Bot.TelegramChat;

// Verbs (ask, import, check) run without a host: they answer and exit.
if (Cli.IsVerb(args))
    return await Cli.RunAsync(args, CancellationToken.None);

// appsettings.json ships beside the app; config paths are resolved from the working directory (see ReportsOptions).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace); // stdout belongs to the console chat

builder.AddReports();
builder.AddTelegram();
builder.AddConsoleChat(); // only when no chat platform is configured

var app = builder.Build();
app.MapTelegramWebhook();

await app.RunAsync();
return 0;

/// <summary>The app's entry point; public so tests can start it.</summary>
public partial class Program;
