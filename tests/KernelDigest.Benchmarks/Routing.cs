using KernelDigest.Core;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;

namespace KernelDigest.Benchmarks;

/// <summary>The dispatcher as the chats call it, for benchmarks that measure what a user waits for.</summary>
internal static class Routing
{
    public static Dispatcher Create(ReportLibrary library) => new(new ReportCommands(library), new PageCodec());

    public static Inbound Input(string text) => Inbound.FromText(text, Inbound.ConsoleChat, Lang.Zh)!;

    /// <summary>A report command's answer; they complete synchronously, which this checks rather than blocks on.</summary>
    public static Reply Answer(Dispatcher dispatcher, Inbound input)
    {
        var answer = dispatcher.DispatchAsync(input, CancellationToken.None);
        return answer.IsCompletedSuccessfully ? answer.Result : throw new InvalidOperationException("a report command went asynchronous");
    }
}
