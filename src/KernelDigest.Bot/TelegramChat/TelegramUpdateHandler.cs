using System.Security.Cryptography;
using System.Text;
using KernelDigest.Bot.Conversation;
using KernelDigest.Core.Commands;
using KernelDigest.Core.Reports;
using KernelDigest.Core.Search;
using Microsoft.Extensions.Options;
using Telegram.Bot.Requests;
using Telegram.Bot.Requests.Abstractions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;
using Telegram.Bot.Types.InlineQueryResults;
using TgUpdate = Telegram.Bot.Types.Update;

namespace KernelDigest.Bot.TelegramChat;

/// <summary>The Bot API requests that answer an update, and what to run once they are sent (<see cref="Reply.AfterSent"/>).</summary>
public sealed record TelegramPlan(IReadOnlyList<IRequest> Requests, Action? AfterSent = null)
{
    public static TelegramPlan Nothing { get; } = new([]);
}

/// <summary>
/// The Telegram adapter: turns an update into an <see cref="Inbound"/>, has the conversation answer it, and renders the
/// reply as the Bot API requests that deliver it. It sends nothing itself, so the same requests can go out through the
/// sender or, in webhook mode, inside the HTTP response.
/// </summary>
public sealed class TelegramUpdateHandler(
    ConversationTurns turns,
    TelegramInbound inbound,
    TelegramMembership membership,
    ReportLibrary library,
    IOptions<TelegramOptions> options)
{
    /// <summary>Inline results per answer.</summary>
    public const int InlinePageSize = 10;

    /// <summary>
    /// True when answering needs I/O before the reply is known (a chat-state command asks Telegram who is an admin and
    /// uses the store; a membership change uses the store): the webhook queues these instead of answering in its response.
    /// </summary>
    public bool NeedsIo(TgUpdate update) => update switch
    {
        { MyChatMember: not null } => true,
        { Message: { } m } => UsesChatState(inbound.FromMessage(m, isChannel: false)),
        { ChannelPost: { } p } => UsesChatState(inbound.FromMessage(p, isChannel: true)),
        _ => false,
    };

    private static bool UsesChatState(Inbound? input) =>
        input?.Command is { } command && CommandTable.Find(command.Name) is { UsesChatState: true };

    /// <summary>The input an update carries, for the turn's log line; null for updates that are not a turn.</summary>
    public Inbound? InputOf(TgUpdate update) => update switch
    {
        { Message: { } m } => inbound.FromMessage(m, isChannel: false),
        { ChannelPost: { } p } => inbound.FromMessage(p, isChannel: true),
        { CallbackQuery: { Message: { } message } q } => inbound.FromCallback(q, message),
        _ => null,
    };

    public async Task<TelegramPlan> PlanAsync(TgUpdate update, CancellationToken ct) => update switch
    {
        { Message: { } message } => await MessageAsync(message, isChannel: false, ct),
        { ChannelPost: { } post } => await MessageAsync(post, isChannel: true, ct),
        { CallbackQuery: { } query } => await CallbackAsync(query, ct),
        { InlineQuery: { } query } => new(Inline(query)),
        { MyChatMember: { } member } => new(await membership.ChangedAsync(member, ct)),
        _ => TelegramPlan.Nothing, // edits, reactions: nothing to answer
    };

    private async Task<TelegramPlan> MessageAsync(Message message, bool isChannel, CancellationToken ct)
    {
        if (inbound.FromMessage(message, isChannel) is not { } input)
            return TelegramPlan.Nothing;
        var reply = await turns.AnswerAsync(input, ct);
        if (reply.Command == ConversationTurns.QuietCommand)
            return TelegramPlan.Nothing; // over the flood limits, and already told so this window
        return new(Messages(message.Chat.Id, TelegramInbound.ThreadOf(message), reply, turns.Dispatcher.Pages), reply.AfterSent);
    }

    /// <summary>A reply as sendMessage requests to a chat (and topic), the page keyboard on the last.</summary>
    public static List<IRequest> Messages(long chatId, int? thread, Reply reply, PageCodec? pages) =>
    [
        .. TelegramRenderer.Render(reply, pages).Select(m => (IRequest)new SendMessageRequest
        {
            ChatId = chatId,
            Text = m.Html,
            ParseMode = ParseMode.Html,
            MessageThreadId = thread,
            LinkPreviewOptions = new LinkPreviewOptions { IsDisabled = m.DisableLinkPreview },
            ReplyMarkup = m.Keyboard,
        }),
    ];

    private List<IRequest> PageTurned(CallbackQuery query, Reply reply, Message message)
    {
        if (reply.Command is Dispatcher.PageInvalid or ConversationTurns.QuietCommand)
            return [new AnswerCallbackQueryRequest { CallbackQueryId = query.Id }]; // not our button, or a flood: nothing changes
        if (reply.IsError)
        {
            // An expired or unreadable button: say so where the user is looking, and leave the page as it was.
            return [new AnswerCallbackQueryRequest { CallbackQueryId = query.Id, Text = TextUtil.Truncate(reply.Title, 200), ShowAlert = true }];
        }
        // A page of five results fits one message; it replaces the page shown, in place.
        var first = TelegramRenderer.Render(reply, turns.Dispatcher.Pages)[0];
        return
        [
            new AnswerCallbackQueryRequest { CallbackQueryId = query.Id },
            new EditMessageTextRequest
            {
                ChatId = message.Chat.Id,
                MessageId = message.MessageId,
                Text = first.Html,
                ParseMode = ParseMode.Html,
                LinkPreviewOptions = new LinkPreviewOptions { IsDisabled = true },
                ReplyMarkup = first.Keyboard,
            },
        ];
    }

    private async Task<TelegramPlan> CallbackAsync(CallbackQuery query, CancellationToken ct)
    {
        if (query.Message is not { } message || string.IsNullOrEmpty(query.Data))
            return new([new AnswerCallbackQueryRequest { CallbackQueryId = query.Id }]);
        var reply = await turns.AnswerAsync(inbound.FromCallback(query, message), ct);
        if (!PageCodec.IsCommand(query.Data) || reply.IsError)
            return new(PageTurned(query, reply, message));
        // An action button ("Follow 2"): its answer is a message of its own in the chat (and topic) it was pressed in.
        return new([new AnswerCallbackQueryRequest { CallbackQueryId = query.Id }, .. Messages(message.Chat.Id, TelegramInbound.ThreadOf(message), reply, turns.Dispatcher.Pages)],
            reply.AfterSent);
    }

    private List<IRequest> Inline(InlineQuery query)
    {
        var skip = int.TryParse(query.Offset, out var offset) && offset is > 0 and < 1000 ? offset : 0;
        var snapshot = library.Current;
        var text = query.Query.Trim();
        var results = new List<InlineQueryResult>();
        var nextOffset = "";
        if (text.Length <= PatchQuery.MaxLength)
        {
            SearchResults found;
            if (text.Length == 0)
            {
                // An empty inline query shows the latest report's entries.
                found = snapshot.Index.Search(new PatchQuery("", Month: snapshot.Latest?.Month), skip, InlinePageSize);
            }
            else
            {
                var parsed = PatchQuery.Parse(text, library.Subsystems);
                found = parsed.Query is { } q ? snapshot.Index.Search(q, skip, InlinePageSize) : new SearchResults([], 0);
            }
            foreach (var hit in found.Hits)
                results.Add(Article(hit));
            if (skip + found.Hits.Count < found.Total)
                nextOffset = (skip + found.Hits.Count).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return
        [
            new AnswerInlineQueryRequest
            {
                InlineQueryId = query.Id,
                Results = results,
                CacheTime = options.Value.InlineCacheSeconds,
                IsPersonal = false,
                NextOffset = nextOffset,
            },
        ];
    }

    private static InlineQueryResultArticle Article(SearchHit hit)
    {
        var item = new ReplyItem
        {
            Title = hit.Entry.Title,
            Meta = string.Join(" · ", hit.Entry.Authors.Count > 0 ? [string.Join(", ", hit.Entry.Authors), hit.Report.Month.ToString(), hit.Section.Heading] : new[] { hit.Report.Month.ToString(), hit.Section.Heading }),
            Summary = hit.Entry.OneLine,
            Links = hit.Entry.Links,
        };
        // A result id must be unique and at most 64 bytes: a hash of where the entry lives.
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{hit.Report.Month}|{hit.Section.Heading}|{hit.Entry.Title}")))[..32];
        return new InlineQueryResultArticle(id, TextUtil.Truncate(hit.Entry.Title, 200), new InputTextMessageContent(TelegramRenderer.RenderItem(item))
        {
            ParseMode = ParseMode.Html,
            LinkPreviewOptions = new LinkPreviewOptions { IsDisabled = true },
        })
        {
            Description = TextUtil.Truncate($"{item.Meta} — {item.Summary}", 200),
        };
    }
}
