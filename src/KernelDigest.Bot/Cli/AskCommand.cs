using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using KernelDigest.Bot.Reports;
using KernelDigest.Core;
using KernelDigest.Core.Commands;

namespace KernelDigest.Bot.Cli;

/// <summary>
/// <c>ask</c>: answers one message, or each line of standard input (<c>-</c>), through the same dispatcher the chat
/// platforms use. With <c>--json</c>, stdout carries exactly one JSON object per answer; diagnostics go to stderr.
/// </summary>
internal static class AskCommand
{
    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, CancellationToken ct)
    {
        var (own, settings) = Cli.SplitSettings(args);
        var json = false;
        var drafts = false;
        var lang = Lang.Zh;
        string? text = null;
        for (var i = 0; i < own.Count; i++)
        {
            switch (own[i])
            {
                case "--json":
                    json = true;
                    break;
                case "--drafts":
                    drafts = true;
                    break;
                case "--lang" when i + 1 < own.Count:
                    lang = Langs.FromCode(own[++i]);
                    break;
                case "--lang":
                    throw new CliUsageException("--lang needs a value: en or zh-CN");
                default:
                    if (text is not null)
                        throw new CliUsageException("ask takes one message; quote it: ask \"/patch TDP MMU\"");
                    text = own[i];
                    break;
            }
        }
        if (text is null)
            throw new CliUsageException("ask needs a message, or - to read messages from standard input");

        var library = ReportsSetup.CreateLibrary(ReportsSetup.ReadOptions(Cli.Configuration(settings)), includeDrafts: drafts);
        var snapshot = library.Current;
        foreach (var error in snapshot.Errors)
            await Console.Error.WriteLineAsync($"warning: {error}");
        // The same dispatcher the chats use; nothing is kept per chat here, so chat-state commands say where they work.
        using var pages = new PageCodec();
        var dispatcher = new Dispatcher(new ReportCommands(library), pages);

        if (text != "-")
        {
            await stdout.WriteLineAsync(await AnswerAsync(dispatcher, text, lang, json, ct));
            return 0;
        }
        // Lines are independent (nothing is kept per chat here), so they are answered on every core at once and
        // written in the order they came: a bounded queue of answers in progress, read in order by the writer.
        var pending = Channel.CreateBounded<Task<string>>(new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true });
        var reading = Task.Run(async () =>
        {
            try
            {
                while (await stdin.ReadLineAsync(ct) is { } line)
                {
                    if (line.Length > 0)
                        await pending.Writer.WriteAsync(Task.Run(() => AnswerAsync(dispatcher, line, lang, json, ct).AsTask(), ct), ct);
                }
            }
            finally
            {
                pending.Writer.Complete();
            }
        }, ct);
        // Buffered output: one flush per batch of lines keeps `ask -` fast when fed a file.
        await foreach (var answer in pending.Reader.ReadAllAsync(ct))
            await stdout.WriteLineAsync(await answer);
        await reading;
        await stdout.FlushAsync(ct);
        return 0;
    }

    internal static async ValueTask<string> AnswerAsync(Dispatcher dispatcher, string text, Lang lang, bool json, CancellationToken ct)
    {
        Reply? reply;
        try
        {
            reply = Inbound.FromText(text, Inbound.ConsoleChat, lang) is { } input ? await dispatcher.DispatchAsync(input, ct) : null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // One bad message never ends the batch.
            var message = BotTexts.For(lang).Error;
            Console.Error.WriteLine($"error answering a message: {ex.GetType().Name}: {ex.Message}");
            return json ? JsonSerializer.Serialize(new AskError(text, message), AskJson.Default.AskError) : message;
        }
        if (reply is null)
            return json ? "{}" : "";
        if (!json)
            return PlainText.Render(reply).TrimEnd();
        var rendered = PlainText.Render(reply).TrimEnd();
        if (reply.IsError)
            return JsonSerializer.Serialize(new AskError(text, rendered), AskJson.Default.AskError);
        var results = reply.Items.Where(i => i.Entry is not null).Select(i => new AskResult(
            i.Entry!.Month, i.Entry.Subsystem, i.Entry.Title, i.Entry.Authors,
            [.. i.Links.Select(l => new AskLink(l.Kind.ToString().ToLowerInvariant(), l.Url, l.Label))],
            i.Entry.Score is { } s ? MathF.Round(s, 4) : null)).ToList();
        return JsonSerializer.Serialize(new AskAnswer(text, reply.Command, results, rendered), AskJson.Default.AskAnswer);
    }
}

internal sealed record AskAnswer(string Query, string Command, IReadOnlyList<AskResult> Results, string Text);

internal sealed record AskResult(string Month, string Subsystem, string Title, IReadOnlyList<string> Authors, IReadOnlyList<AskLink> Links, float? Score);

internal sealed record AskLink(string Kind, string Url, string? Label);

internal sealed record AskError(string Query, string Error);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(AskAnswer))]
[JsonSerializable(typeof(AskError))]
internal sealed partial class AskJson : JsonSerializerContext;
