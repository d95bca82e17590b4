using System.Security.Cryptography;
using System.Text;
using KernelDigest.Core;
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

/// <summary>The bot's own identity on Telegram, learnt from getMe at start.</summary>
public sealed class TelegramBotIdentity
{
    public string? Username { get; set; }
    public long Id { get; set; }
}

/// <summary>
/// Turns one Telegram update into the Bot API requests that answer it. Pure: no I/O here, so the same answer can go out
/// through the polling loop or inside a webhook response.
/// </summary>
public sealed class TelegramUpdateHandler(CommandRouter router, ReportLibrary library, TelegramBotIdentity identity, IOptions<TelegramOptions> options)
{
    /// <summary>Inline results per answer.</summary>
    public const int InlinePageSize = 10;

    public IReadOnlyList<IRequest> Handle(TgUpdate update) => update switch
    {
        { Message: { } message } => HandleMessage(message, isChannel: false),
        { ChannelPost: { } post } => HandleMessage(post, isChannel: true),
        { CallbackQuery: { } query } => HandleCallback(query),
        { InlineQuery: { } query } => HandleInline(query),
        _ => [], // edits, reactions, membership changes: nothing to answer
    };

    private List<IRequest> HandleMessage(Message message, bool isChannel)
    {
        var text = message.Text ?? message.Caption;
        if (string.IsNullOrWhiteSpace(text))
            return [];
        var isPrivate = message.Chat.Type == ChatType.Private;
        var mention = identity.Username is { } name ? "@" + name : null;
        if (!text.StartsWith('/'))
        {
            // In groups and channels plain text is conversation, not a question for the bot, unless it names the bot.
            if (!isPrivate)
            {
                if (mention is null || !text.TrimStart().StartsWith(mention, StringComparison.OrdinalIgnoreCase))
                    return [];
                text = text.TrimStart()[mention.Length..].Trim();
                if (text.Length == 0)
                    text = "/help";
            }
        }
        var lang = isChannel ? Lang.Zh : Langs.FromCode(message.From?.LanguageCode);
        var reply = router.Handle(new ChatInput(text, lang, identity.Username));
        if (reply is null)
            return [];
        var thread = message.IsTopicMessage ? message.MessageThreadId : null;
        return [.. TelegramRenderer.Render(reply).Select(m => (IRequest)new SendMessageRequest
        {
            ChatId = message.Chat.Id,
            Text = m.Html,
            ParseMode = ParseMode.Html,
            MessageThreadId = thread,
            LinkPreviewOptions = new LinkPreviewOptions { IsDisabled = m.DisableLinkPreview },
            ReplyMarkup = m.Keyboard,
        })];
    }

    private List<IRequest> HandleCallback(CallbackQuery query)
    {
        var answer = new AnswerCallbackQueryRequest { CallbackQueryId = query.Id };
        if (query.Message is not { } message || !PageToken.TryDecode(query.Data, out var page, out var args))
            return [answer];
        args ??= PageToken.QueryFromMessage(message.Text);
        if (args is null)
            return [answer];
        var reply = router.Handle(new ChatInput($"/patch {args} page:{page}", Langs.FromCode(query.From.LanguageCode), identity.Username));
        if (reply is null)
            return [answer];
        // A page of five results fits one message; it replaces the page shown, in place.
        var first = TelegramRenderer.Render(reply)[0];
        var edit = new EditMessageTextRequest
        {
            ChatId = message.Chat.Id,
            MessageId = message.MessageId,
            Text = first.Html,
            ParseMode = ParseMode.Html,
            LinkPreviewOptions = new LinkPreviewOptions { IsDisabled = true },
            ReplyMarkup = first.Keyboard,
        };
        return [answer, edit];
    }

    private List<IRequest> HandleInline(InlineQuery query)
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
