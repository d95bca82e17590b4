using KernelDigest.Core.Commands;
using KernelDigest.Core.Tests.Search;

namespace KernelDigest.Core.Tests.Commands;

/// <summary>The dispatcher against the command table: every command answered, help complete, page buttons as data.</summary>
public sealed class DispatcherTableTests(LibraryFixture fixture) : IClassFixture<LibraryFixture>
{
    private static Inbound Input(string name, string arguments = "", Platform? platform = null) => new()
    {
        Chat = new ChatAddress(platform ?? Platform.Telegram, "42"),
        Lang = Lang.En,
        Command = new ParsedCommand(name, arguments),
    };

    [Fact]
    public async Task Every_command_of_the_table_is_answered_and_chat_state_ones_reach_the_chat_commands()
    {
        var chats = new RecordingChatCommands();
        var dispatcher = new Dispatcher(new ReportCommands(fixture.Library), fixture.Pages, chats);

        foreach (var command in CommandTable.All)
        {
            var reply = await dispatcher.DispatchAsync(Input(command.Name, command.Name == "patch" ? "TDP MMU" : ""), CancellationToken.None);
            Assert.NotEqual("unknown", reply.Command);
        }

        Assert.Equal(CommandTable.All.Where(c => c.UsesChatState).Select(c => c.Name), chats.Calls);
    }

    [Fact]
    public async Task Aliases_dispatch_to_their_command()
    {
        foreach (var command in CommandTable.All)
        {
            foreach (var alias in command.Aliases)
            {
                var reply = await fixture.Dispatcher.DispatchAsync(Input(alias, command.Name == "patch" ? "TDP MMU" : ""), CancellationToken.None);
                Assert.NotEqual("unknown", reply.Command);
            }
        }
    }

    [Theory]
    [InlineData(Lang.En)]
    [InlineData(Lang.Zh)]
    public void Help_lists_every_command_of_the_table(Lang lang)
    {
        var reply = fixture.Ask("/help", lang)!;

        foreach (var command in CommandTable.All)
            Assert.Contains(reply.Body, line => line.StartsWith("/" + command.Name + " ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("subscribe")]
    [InlineData("unsubscribe")]
    [InlineData("subscription")]
    [InlineData("follow")]
    [InlineData("watch")]
    public async Task Chat_state_commands_in_the_console_say_where_they_work(string name)
    {
        var chats = new RecordingChatCommands();
        var dispatcher = new Dispatcher(new ReportCommands(fixture.Library), fixture.Pages, chats);

        var reply = await dispatcher.DispatchAsync(Input(name, platform: Platform.Console), CancellationToken.None);

        Assert.True(reply.IsError);
        Assert.Equal($"/{name} changes what a chat receives: use it in a Telegram or Discord chat.", reply.Title);
        Assert.Empty(chats.Calls);
    }

    [Fact]
    public async Task A_page_button_shows_that_page_of_the_same_search_with_its_filters()
    {
        var first = fixture.Ask("/patch 虚拟机 month:2020-09", Lang.En)!;
        var token = fixture.Pages.Encode(first.Page!.Search, 2, TokenLimit.Telegram);

        var second = await fixture.Dispatcher.DispatchAsync(
            new Inbound { Chat = new ChatAddress(Platform.Telegram, "42"), Lang = Lang.En, PageToken = token }, CancellationToken.None);

        Assert.Equal(2, second.Page?.Number);
        Assert.Equal(first.Page.Search, second.Page?.Search);
        Assert.Equal("2020-09", first.Page.Search.Month);
        Assert.Equal(6, second.FirstNumber);
    }

    [Fact]
    public async Task A_page_button_whose_search_is_no_longer_kept_says_the_search_expired()
    {
        var reply = await fixture.Dispatcher.DispatchAsync(
            new Inbound { Chat = new ChatAddress(Platform.Discord, "42"), Lang = Lang.Zh, PageToken = "k|2|AAAAAAAAAAAAAAAA" }, CancellationToken.None);

        Assert.True(reply.IsError);
        Assert.Equal(Dispatcher.PageExpired, reply.Command);
        Assert.Equal(BotTexts.Zh.SearchExpired, reply.Title);
    }

    [Fact]
    public async Task Patch_results_with_a_lore_link_get_a_follow_button_that_runs_follow_as_its_presser()
    {
        var chats = new RecordingChatCommands();
        var dispatcher = new Dispatcher(new ReportCommands(fixture.Library), fixture.Pages, chats);
        var reply = await dispatcher.DispatchAsync(Input("patch", "kvm"), CancellationToken.None);

        var withLore = reply.Items.Select((item, i) => (item, i)).Where(x => x.item.Links.Any(l => l.Kind == Core.Reports.LinkKind.Lore)).ToList();
        Assert.NotEmpty(withLore);
        Assert.Equal(withLore.Select(x => "Follow " + (x.i + 1)), reply.Actions.Select(a => a.Label));
        var first = reply.Actions[0];
        var link = Core.Lore.LoreLink.Parse(withLore[0].item.Links.First(l => l.Kind == Core.Reports.LinkKind.Lore).Url)!;
        Assert.Equal("/follow " + link.Compact, first.CommandLine);

        // Pressed: the token fits Telegram's 64 bytes, and runs /follow with the presser's chat, language and admin check.
        var token = fixture.Pages.EncodeCommand(first.CommandLine, TokenLimit.Telegram);
        Assert.True(TokenLimit.Telegram.Fits(token));
        Assert.True(PageCodec.IsCommand(token));
        var asked = false;
        var press = new Inbound
        {
            Chat = new ChatAddress(Platform.Telegram, "-100"), Kind = ChatKind.Group, Lang = Lang.Zh, UserId = "7", PageToken = token,
            IsAdmin = _ => Task.FromResult(asked = true),
        };
        var answer = await dispatcher.DispatchAsync(press, CancellationToken.None);
        Assert.Equal("follow", answer.Command);
        Assert.False(answer.ReplacesMessage);
        var received = Assert.Single(chats.Inputs);
        Assert.Equal(link.Compact, received.Command!.Arguments);
        Assert.Equal("-100", received.Chat.ChatId);
        Assert.True(await received.IsAdmin(CancellationToken.None) && asked);

        // Without follows (or in the console) there are no buttons.
        var plain = await new Dispatcher(new ReportCommands(fixture.Library), fixture.Pages, new RecordingChatCommands { CanFollow = false })
            .DispatchAsync(Input("patch", "TDP MMU"), CancellationToken.None);
        Assert.Empty(plain.Actions);
        var console = await dispatcher.DispatchAsync(Input("patch", "TDP MMU", Platform.Console), CancellationToken.None);
        Assert.Empty(console.Actions);
    }

    [Theory]
    [InlineData("c|/latest")]
    [InlineData("c|/patch kvm")]
    [InlineData("c|/subscribe")]
    [InlineData("f|no lore link here")]
    public async Task A_button_token_naming_any_other_command_is_not_a_button_of_ours(string token)
    {
        var chats = new RecordingChatCommands();
        var dispatcher = new Dispatcher(new ReportCommands(fixture.Library), fixture.Pages, chats);
        var reply = await dispatcher.DispatchAsync(new Inbound { Chat = new ChatAddress(Platform.Telegram, "-100"), Kind = ChatKind.Group, PageToken = token }, CancellationToken.None);
        Assert.Equal(Dispatcher.PageInvalid, reply.Command);
        Assert.Empty(chats.Calls);
    }

    [Fact]
    public async Task Two_results_of_one_series_share_one_follow_button()
    {
        // Two months' reports with an entry each for the same series (the same lore message).
        var dir = Directory.CreateTempSubdirectory("kd-dup-").FullName;
        foreach (var month in new[] { "2020-09", "2020-10" })
        {
            File.WriteAllText(Path.Combine(dir, month + ".md"),
                $"---\nmonth: {month}\nissue: 1\ntitle: Test {month}\n---\n\n# 虚拟化\n\n## Zebra widget rework\n\n- authors: Ada\n\nWords.\n\n"
                + "### Links\n\n- <https://lore.kernel.org/kvm/zebra-1@example.org/>\n");
        }
        try
        {
            var library = new Core.Reports.ReportLibrary(dir, fixture.Catalog, new Core.Search.PatchIndexFactory(fixture.Glossary, fixture.Catalog, cacheDirectory: null));
            var reply = await new Dispatcher(new ReportCommands(library), fixture.Pages, new RecordingChatCommands())
                .DispatchAsync(Input("patch", "Zebra widget"), CancellationToken.None);
            Assert.Equal(2, reply.Items.Count);
            var action = Assert.Single(reply.Actions);
            Assert.Equal("/follow kvm/zebra-1@example.org", action.CommandLine);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_page_turn_replaces_its_message_and_numbers_its_follow_buttons_as_its_results()
    {
        var dispatcher = new Dispatcher(new ReportCommands(fixture.Library), fixture.Pages, new RecordingChatCommands());
        var first = await dispatcher.DispatchAsync(Input("patch", "month:2020-09"), CancellationToken.None);
        Assert.True(first.Page is { Count: > 1 });
        var labelled = 0;
        for (var page = 1; page <= first.Page!.Count; page++)
        {
            var token = fixture.Pages.Encode(first.Page.Search, page, TokenLimit.Discord);
            var turned = await dispatcher.DispatchAsync(new Inbound { Chat = new ChatAddress(Platform.Discord, "9"), Lang = Lang.En, PageToken = token }, CancellationToken.None);
            Assert.True(turned.ReplacesMessage);
            Assert.Equal(page, turned.Page!.Number);
            var expected = turned.Items.Select((item, i) => (item, n: turned.FirstNumber + i))
                .Where(x => x.item.Links.Any(l => l.Kind == Core.Reports.LinkKind.Lore)).Select(x => "Follow " + x.n).ToList();
            Assert.Equal(expected, turned.Actions.Select(a => a.Label));
            labelled += expected.Count;
        }
        Assert.True(labelled > 0, "some page has a result with a lore link");
    }

    private sealed class RecordingChatCommands : IChatCommands
    {
        public List<string> Calls { get; } = [];

        public Task<Reply> SubscribeAsync(Inbound input, CancellationToken ct) => Record("subscribe", input);
        public Task<Reply> UnsubscribeAsync(Inbound input, CancellationToken ct) => Record("unsubscribe", input);
        public Task<Reply> SubscriptionAsync(Inbound input, CancellationToken ct) => Record("subscription", input);
        public Task<Reply> FollowAsync(Inbound input, CancellationToken ct) => Record("follow", input);
        public Task<Reply> UnfollowAsync(Inbound input, CancellationToken ct) => Record("unfollow", input);
        public Task<Reply> FollowingAsync(Inbound input, CancellationToken ct) => Record("following", input);
        public Task<Reply> WatchAsync(Inbound input, CancellationToken ct) => Record("watch", input);
        public Task<Reply> UnwatchAsync(Inbound input, CancellationToken ct) => Record("unwatch", input);
        public Task<Reply> WatchesAsync(Inbound input, CancellationToken ct) => Record("watches", input);
        public bool CanFollow { get; init; } = true;
        public List<Inbound> Inputs { get; } = [];

        private Task<Reply> Record(string name, Inbound input)
        {
            Calls.Add(name);
            Inputs.Add(input);
            return Task.FromResult(new Reply { Command = name, Query = input.Text, Title = name });
        }
    }
}
