using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using KernelDigest.Bot.DiscordChat;
using KernelDigest.Bot.Tests.DiscordChat;
using KernelDigest.Bot.Tests.LoreDouble;
using static KernelDigest.Bot.Tests.DiscordChat.DiscordMessages;

namespace KernelDigest.Bot.Tests.Follows;

/// <summary>The bot on Discord with the lore double: polled every second.</summary>
public sealed class DiscordFollowFixture : DiscordAppFixture
{
    public FakeLore Lore { get; private set; } = null!;

    protected override async Task PrepareAsync()
    {
        var archive = new LoreArchive();
        archive.AddInbox("lkml");
        Lore = await FakeLore.StartAsync(archive);
    }

    protected override ValueTask CleanUpAsync() => Lore.DisposeAsync();

    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["Lore:BaseUrl"] = Lore.BaseUrl.ToString(),
        ["Lore:PollInterval"] = "00:00:01",
        ["Lore:MaxRequestsPerMinute"] = "6000",
        ["Lore:MaxRetries"] = "0",
    };
}

/// <summary>
/// A new user on Discord: follows a series from a /patch result's button, sees it in /following (and in /unfollow's
/// autocomplete), and gets exactly one channel message for its next version and one when it is applied.
/// </summary>
public sealed class FollowDiscordTests(DiscordFollowFixture fixture) : IClassFixture<DiscordFollowFixture>
{
    private const string Administrator = "8";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static string Mail(string id, string subject, string from, DateTimeOffset date, string? parent = null, string body = "A patch.\n") =>
        $"From: {from}\nTo: linux-kernel@vger.kernel.org\nSubject: {subject}\nDate: {date.ToString("r", CultureInfo.InvariantCulture)}\nMessage-ID: <{id}>\n"
        + (parent is null ? "" : $"In-Reply-To: <{parent}>\nReferences: <{parent}>\n")
        + "Content-Type: text/plain; charset=utf-8\n\n" + body;

    [Fact]
    public async Task A_channel_follows_a_series_from_a_patch_result_and_is_told_once_of_its_next_version_and_once_when_applied()
    {
        var channel = "5200000000000" + Random.Shared.Next(10_000, 99_999).ToString(CultureInfo.InvariantCulture);
        fixture.Discord.AddChannel(channel);

        var results = await AnswerAsync(Command("patch", channel, ("query", "zebrafish")));
        var follow = Buttons(results).First(b => Text(b, "label") == "Follow 1");
        var customId = Text(follow, "custom_id")!;
        Assert.StartsWith("f|lkml/zebrafish-", customId, StringComparison.Ordinal);
        var root = customId["f|lkml/".Length..];

        // The series on lore: the entry links its cover letter.
        const string Author = "Zed Fish <zed@example.org>";
        var v1 = DateTimeOffset.UtcNow.AddHours(-5);
        fixture.Lore.Archive.Add("lkml", Mail(root, "[PATCH 0/2] zebrafish: Teach the fish to swim", Author, v1));
        fixture.Lore.Archive.Add("lkml", Mail("p1-" + root, "[PATCH 1/2] zebrafish: Teach the fish to swim, fins", Author, v1, parent: root));

        // A member without the permissions pressing it is told so, privately, and the results stay as they were.
        var refusedPress = Interactions.Button(customId, "en-US", JsonNode.Parse(results.GetRawText()));
        refusedPress["channel_id"] = channel;
        refusedPress["member"]!["permissions"] = "0";
        fixture.Discord.OpenInteraction((string)refusedPress["token"]!);
        var refused = await fixture.App.InteractAsync(refusedPress, fixture.Signer);
        Assert.Equal(InteractionCallback.ChannelMessage, refused.GetProperty("type").GetInt32());
        Assert.Equal(64, refused.GetProperty("data").GetProperty("flags").GetInt32()); // ephemeral
        Assert.Equal("Only this chat's administrators can change what it follows.", Title(refused.GetProperty("data")));

        var press = Interactions.Button(customId, "en-US", JsonNode.Parse(results.GetRawText()));
        press["channel_id"] = channel;
        press["member"]!["permissions"] = Administrator;
        fixture.Discord.OpenInteraction((string)press["token"]!);
        var response = await fixture.App.InteractAsync(press, fixture.Signer);
        // A message of its own in the channel (or, on a slow machine, a deferred one): never an update of the results.
        Assert.Contains(response.GetProperty("type").GetInt32(), new[] { InteractionCallback.ChannelMessage, InteractionCallback.DeferredChannelMessage });
        var followed = response.GetProperty("type").GetInt32() == InteractionCallback.ChannelMessage
            ? response.GetProperty("data")
            : Parse((await fixture.Discord.WaitForWebhookMessagesAsync(m => m.Any(x => x.Token == (string)press["token"]! && x.IsEditOfOriginal)))
                .First(x => x.Token == (string)press["token"]! && x.IsEditOfOriginal).Body);
        Assert.Equal("Following «Teach the fish to swim»", Title(followed));

        Assert.Contains("Teach the fish to swim", Visible(await AnswerAsync(Command("following", channel))), StringComparison.Ordinal);
        var choices = await fixture.App.InteractAsync(Signed(Interactions.Autocomplete("unfollow", "en-US", "series", ("series", "fish")), channel), fixture.Signer);
        var choice = Assert.Single(choices.GetProperty("data").GetProperty("choices").EnumerateArray());
        Assert.Equal("1 · Teach the fish to swim (v1)", choice.GetProperty("name").GetString());
        Assert.Equal("1", choice.GetProperty("value").GetString());

        // v2, then a maintainer's "applied" reply to it.
        fixture.Lore.Archive.Add("lkml", Mail("v2-" + root, "[PATCH v2 0/2] zebrafish: Teach the fish to swim", Author, DateTimeOffset.UtcNow,
            body: "Swimming.\n\nChanges in v2:\n- faster fins\n"));
        var v2 = await PostedAsync(channel, "v2 of «Teach the fish to swim» by Zed Fish");
        Assert.Contains("faster fins", Visible(v2), StringComparison.Ordinal);
        fixture.Lore.Archive.Add("lkml", Mail("ty-" + root, "Re: [PATCH v2 0/2] zebrafish: Teach the fish to swim", "Mae Maint <mae@example.org>",
            DateTimeOffset.UtcNow, parent: "v2-" + root, body: "Applied to fish/for-next, thanks!\n"));
        var applied = await PostedAsync(channel, "Applied: «Teach the fish to swim» by Zed Fish");
        Assert.Contains("Mae Maint: Applied to fish/for-next", Visible(applied), StringComparison.Ordinal);

        // Polls go on: nothing is posted twice.
        var polls = Polls();
        await WaitUntil(() => Polls() >= polls + 3);
        Assert.Single(Posted(channel), m => (Title(m) ?? "").StartsWith("v2 of «", StringComparison.Ordinal));
        Assert.Single(Posted(channel), m => (Title(m) ?? "").StartsWith("Applied: «", StringComparison.Ordinal));

        Assert.Equal("No longer following «Teach the fish to swim».", Title(await AnswerAsync(Command("unfollow", channel, ("series", "1")))));
    }

    private int Polls() => fixture.App.Logs.Split("Follow poll: ").Length - 1;

    private List<JsonElement> Posted(string channel) =>
        [.. fixture.Discord.ChannelMessages.Where(m => m.ChannelId == channel).Select(m => Parse(m.Body))];

    private async Task<JsonElement> PostedAsync(string channel, string title)
    {
        await WaitUntil(() => Posted(channel).Any(m => Title(m) == title));
        return Posted(channel).First(m => Title(m) == title);
    }

    private async Task WaitUntil(Func<bool> done)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!done())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException(fixture.App.Logs);
            await Task.Delay(50);
        }
    }

    private JsonObject Signed(JsonObject payload, string channel)
    {
        payload["channel_id"] = channel;
        payload["member"]!["permissions"] = Administrator;
        fixture.Discord.OpenInteraction((string)payload["token"]!);
        return payload;
    }

    private JsonObject Command(string name, string channel, params (string Name, string Value)[] options) =>
        Signed(Interactions.Command(name, "en-US", options), channel);

    private async Task<JsonElement> AnswerAsync(JsonObject payload)
    {
        var token = (string)payload["token"]!;
        var response = await fixture.App.InteractAsync(payload, fixture.Signer);
        if (response.GetProperty("type").GetInt32() == InteractionCallback.ChannelMessage)
            return response.GetProperty("data");
        var sent = await fixture.Discord.WaitForWebhookMessagesAsync(m => m.Any(x => x.Token == token && x.IsEditOfOriginal));
        return Parse(sent.First(x => x.Token == token && x.IsEditOfOriginal).Body);
    }
}
