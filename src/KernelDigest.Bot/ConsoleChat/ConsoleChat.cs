using KernelDigest.Bot.Conversation;
using KernelDigest.Core;
using KernelDigest.Core.Commands;

namespace KernelDigest.Bot.ConsoleChat;

/// <summary>
/// The console chat: when no chat platform is configured, the bot talks on the terminal so anyone can try it with no
/// tokens. Besides the bot's commands it knows /more (next page), /lang en|zh-CN and /quit.
/// </summary>
internal sealed class ConsoleChatService(ConversationTurns turns, IHostApplicationLifetime lifetime) : BackgroundService
{
    private readonly TextReader _input = Console.In;
    private readonly TextWriter _output = Console.Out;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Let the host finish starting (and the reports load) before the first prompt.
        await Task.Yield();
        var lang = Langs.FromCode(Environment.GetEnvironmentVariable("KERNELDIGEST_LANG"));
        var interactive = !Console.IsInputRedirected;
        var bold = interactive && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;
        Func<string, string>? highlight = bold ? s => $"\u001b[1m{s}\u001b[22m" : null;
        string? next = null;

        await _output.WriteLineAsync(lang == Lang.En
            ? "KernelDigest console chat. Try /patch TDP MMU, /subsystem kvm, /month 2020-09, /help. /more for the next page, /lang en|zh-CN, /quit to leave."
            : "KernelDigest 控制台聊天。试试 /patch TDP MMU、/subsystem kvm、/month 2020-09、/help。/more 翻页,/lang en|zh-CN 切换语言,/quit 退出。");
        while (!stoppingToken.IsCancellationRequested)
        {
            if (interactive)
                await _output.WriteAsync("> ");
            var line = await _input.ReadLineAsync(stoppingToken);
            if (line is null)
                break;
            var text = line.Trim();
            if (text.Length == 0)
                continue;
            switch (text.ToLowerInvariant())
            {
                case "/quit" or "/exit":
                    lifetime.StopApplication();
                    return;
                case "/more" or "more" or "/next":
                    if (next is null)
                    {
                        await _output.WriteLineAsync(lang == Lang.En ? "Nothing more to show." : "没有更多了。");
                        continue;
                    }
                    text = next;
                    break;
                case "/lang en":
                    lang = Lang.En;
                    await _output.WriteLineAsync("Language: English");
                    continue;
                case "/lang zh" or "/lang zh-cn":
                    lang = Lang.Zh;
                    await _output.WriteLineAsync("语言:简体中文");
                    continue;
            }
            if (Inbound.FromText(text, Inbound.ConsoleChat, lang) is not { } input)
                continue;
            var reply = await turns.AnswerAsync(input, stoppingToken); // an apology, should answering fail
            next = reply.Page is { HasNext: true } page ? page.CommandFor(page.Number + 1) : null;
            await _output.WriteLineAsync(PlainText.Render(reply, highlight));
        }
        // End of input (a pipe closed, Ctrl-D): the chat is over, and so is the app.
        lifetime.StopApplication();
    }
}
