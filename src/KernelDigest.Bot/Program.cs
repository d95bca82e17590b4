using KernelDigest.Bot.Cli;
using KernelDigest.Bot.ConsoleChat;
using KernelDigest.Bot.Conversation;
using KernelDigest.Bot.DiscordChat;
using KernelDigest.Bot.Drafts;
using KernelDigest.Bot.Follows;
using KernelDigest.Bot.Operations;
using KernelDigest.Bot.Reports;
using KernelDigest.Bot.Storage;
using KernelDigest.Bot.Subscriptions;
using KernelDigest.Bot.TelegramChat;
using KernelDigest.Bot.Web;

// Verbs that work on report files (ask, import, check, draft, preview, publish) run without a host, and exit.
if (Cli.IsVerb(args))
    return await Cli.RunAsync(args, CancellationToken.None);

// appsettings.json ships beside the app; config paths are resolved from the working directory (see ReportsOptions).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = OperatorCommands.Settings(args),
    ContentRootPath = AppContext.BaseDirectory,
});
builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace); // stdout belongs to the console chat
builder.Services.AddSystemd(); // Type=notify and journal-friendly logs under systemd; nothing elsewhere

builder.AddOperations();
builder.AddReports();
builder.AddStorage();
builder.AddSubscriptions();
builder.AddFollows(); // follow patch series on lore; notices through the digest outbox
builder.AddDrafts(); // a month published after its digest day is sent at once
builder.AddConversation(); // the one dispatcher every platform below feeds
builder.AddTelegram();
builder.AddDiscord();
builder.AddWeb(); // the archive on the app's URLs (default http://localhost:8080), and chat links to it
builder.AddConsoleChat(); // only when no chat platform is configured and Console:Enabled is not false

var app = builder.Build();
app.MapOperations();
app.MapTelegramWebhook();
app.MapDiscordInteractions();
app.MapWeb(); // last: its catch-all 404 page answers only what nothing above matched

// Operator verbs (digest send, subscriptions list) use the same services as the running bot, without serving.
if (OperatorCommands.IsVerb(args))
    return await OperatorCommands.RunAsync(app, args);

await app.RunAsync();
return 0;

/// <summary>The app's entry point; public so tests can start it.</summary>
public partial class Program;
