using KernelDigest.Bot.Cli;
using KernelDigest.Bot.ConsoleChat;
using KernelDigest.Bot.Reports;

// Verbs (ask, import, check) run without a host: they answer and exit.
if (Cli.IsVerb(args))
    return await Cli.RunAsync(args, CancellationToken.None);

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace); // stdout belongs to the chat

builder.AddReports();
builder.AddConsoleChat();

await builder.Build().RunAsync();
return 0;

/// <summary>The app's entry point; public so tests can start it.</summary>
public partial class Program;
