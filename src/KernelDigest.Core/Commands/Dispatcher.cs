namespace KernelDigest.Core.Commands;

/// <summary>
/// The one place that knows which commands exist and what answers each: every platform (Telegram, Discord, the
/// console, <c>ask</c>) hands it an <see cref="Inbound"/> and renders the <see cref="Reply"/>. Adding a command is a
/// row in <see cref="CommandTable"/> and a case here.
/// </summary>
/// <param name="reports">The report commands.</param>
/// <param name="pages">Reads page buttons back.</param>
/// <param name="chats">The chat-state commands; null where nothing is kept per chat (the console, <c>ask</c>).</param>
public sealed class Dispatcher(ReportCommands reports, PageCodec pages, IChatCommands? chats = null)
{
    /// <summary>The reply's command for a page button whose search is no longer kept: the user is told so.</summary>
    public const string PageExpired = "page-expired";

    /// <summary>The reply's command for a button that is not a page button at all: adapters change nothing.</summary>
    public const string PageInvalid = "page-invalid";

    public PageCodec Pages => pages;

    /// <summary>The answer to one input. Report commands complete synchronously; chat-state ones do I/O.</summary>
    public ValueTask<Reply> DispatchAsync(Inbound input, CancellationToken ct)
    {
        if (input.PageToken is { } token)
            return Press(input, token, ct);
        var command = input.Command ?? throw new ArgumentException("an input carries a command or a page token", nameof(input));
        if (command.TooLong)
            return ValueTask.FromResult(ReportCommands.TooLong(input));
        if (CommandTable.Find(command.Name) is not { } spec)
            return ValueTask.FromResult(ReportCommands.Unknown(input, command.Name));
        if (spec.UsesChatState && (chats is null || input.Chat.Platform == Platform.Console))
            return ValueTask.FromResult(ReportCommands.NeedsChat(input, spec.Name));
        return spec.Name switch
        {
            "patch" => ValueTask.FromResult(WithFollowButtons(input, reports.Patch(input, command))),
            "subsystem" => ValueTask.FromResult(reports.Subsystem(input, command)),
            "month" => ValueTask.FromResult(reports.Month(input, command)),
            "latest" => ValueTask.FromResult(reports.Latest(input)),
            "help" => ValueTask.FromResult(ReportCommands.Help(input)),
            "about" => ValueTask.FromResult(reports.About(input)),
            "subscribe" => new ValueTask<Reply>(chats!.SubscribeAsync(input, ct)),
            "unsubscribe" => new ValueTask<Reply>(chats!.UnsubscribeAsync(input, ct)),
            "subscription" => new ValueTask<Reply>(chats!.SubscriptionAsync(input, ct)),
            "follow" => new ValueTask<Reply>(chats!.FollowAsync(input, ct)),
            "unfollow" => new ValueTask<Reply>(chats!.UnfollowAsync(input, ct)),
            "following" => new ValueTask<Reply>(chats!.FollowingAsync(input, ct)),
            "watch" => new ValueTask<Reply>(chats!.WatchAsync(input, ct)),
            "unwatch" => new ValueTask<Reply>(chats!.UnwatchAsync(input, ct)),
            "watches" => new ValueTask<Reply>(chats!.WatchesAsync(input, ct)),
            // In the table but answered nowhere: a test over the table fails on this.
            _ => throw new NotSupportedException($"/{spec.Name} is in the command table but not dispatched"),
        };
    }

    /// <summary>
    /// A button pressed: a page of a search (answered in place of the message), or an action button's command, run as
    /// if its presser had typed it (the admin rule included).
    /// </summary>
    private ValueTask<Reply> Press(Inbound input, string token, CancellationToken ct)
    {
        var turn = pages.Decode(token);
        // Callback data is the client's to send, whatever the buttons said: only what the bot's own buttons do (follow
        // a series named by a lore link) is run; any other command in a token is not a button of ours.
        if (turn.CommandLine is { } line)
        {
            return ParsedCommand.Parse(line, null) is { Name: "follow" } command && Lore.LoreLink.Parse(command.Arguments) is not null
                ? DispatchAsync(input with { PageToken = null, Command = command }, ct)
                : ValueTask.FromResult(new Reply { Command = PageInvalid, Query = "page", Lang = input.Lang, IsError = true, Title = "" });
        }
        if (turn.Search is { } search)
            return ValueTask.FromResult(WithFollowButtons(input, reports.SearchPage(input, search, turn.Page)) with { ReplacesMessage = true });
        var texts = BotTexts.For(input.Lang);
        return ValueTask.FromResult(new Reply
        {
            Command = turn.Expired ? PageExpired : PageInvalid,
            Query = "page",
            Lang = input.Lang,
            IsError = true,
            Title = turn.Expired && PageCodec.IsCommand(token) ? texts.ButtonExpired : texts.SearchExpired,
        });
    }

    /// <summary>
    /// In a chat that can follow series, each /patch result with a lore link gets a "Follow n" button (n as the
    /// result is numbered); the button carries the link's short form, so it works after a restart.
    /// </summary>
    private Reply WithFollowButtons(Inbound input, Reply reply)
    {
        if (chats is not { CanFollow: true } || input.Chat.Platform == Platform.Console || reply.IsError)
            return reply;
        var label = input.Lang == Lang.En ? "Follow " : "关注 ";
        var actions = new List<ReplyAction>();
        for (var i = 0; i < reply.Items.Count; i++)
        {
            var lore = Lore.LoreLink.In(reply.Items[i].Links).Select(x => x.Lore).FirstOrDefault();
            // Two results of one series (two months' reports) get one button: a platform may refuse equal button ids.
            if (lore is not null && actions.All(a => a.CommandLine != "/follow " + lore.Compact))
                actions.Add(new ReplyAction(label + (reply.FirstNumber + i).ToString(System.Globalization.CultureInfo.InvariantCulture), "/follow " + lore.Compact));
        }
        return actions.Count == 0 ? reply : reply with { Actions = actions };
    }
}
