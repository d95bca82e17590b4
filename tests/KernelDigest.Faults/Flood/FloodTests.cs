using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using KernelDigest.Bot.Tests;
using KernelDigest.Bot.Tests.DiscordChat;
using KernelDigest.Bot.Tests.DiscordDouble;
using KernelDigest.Bot.Tests.TelegramDouble;
using System.Text.Json;

namespace KernelDigest.Faults.Flood;

/// <summary>
/// Issue 16 §3.5, flood from one chat: the real bot on Telegram (polling, the Bot API double) while one user sends a
/// hundred commands a second in a private chat, and three users do the same in one group. Each flooded chat gets no
/// more answers than the per-user and per-chat limits allow and one "slow down" in its user's language; twenty other
/// chats asking meanwhile are each answered, promptly.
/// </summary>
public sealed partial class FloodTests(ITestOutputHelper output)
{
    private const int PerUser = 5;
    private const int PerChat = 8;
    private const int Ticks = 300; // 10 ms apart: three seconds at 100 commands a second per flooding user
    private const int Bystanders = 20;
    private const long FloodChat = 501;
    private const long Group = -100777;
    private static readonly long[] GroupUsers = [601, 602, 603];

    /// <summary>What "promptly" means here, on a loaded two-core machine: a chat answered as if the flood were not there.</summary>
    private static readonly TimeSpan Target = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task One_flooding_user_gets_one_slow_down_and_the_limits_answers_while_other_chats_are_answered()
    {
        await using var api = await FakeBotApi.StartAsync();
        await using var bot = await InProcessBot.StartAsync(new Dictionary<string, string>
        {
            ["Telegram__BotToken"] = api.Token,
            ["Telegram__ApiBaseUrl"] = api.BaseUrl.ToString(),
            ["Telegram__PollTimeoutSeconds"] = "1",
            ["Flood__PerUser"] = PerUser.ToString(CultureInfo.InvariantCulture),
            ["Flood__PerChat"] = PerChat.ToString(CultureInfo.InvariantCulture),
            // Longer than the flood lasts, so the whole flood falls in one or two windows of each limit.
            ["Flood__Window"] = "00:01:00",
        });
        await bot.WaitForLog("started (polling)", TimeSpan.FromSeconds(60));
        // One answer first, so the figures measure the flood, not the first search's warm-up.
        api.EnqueueMessage(6999, "/patch TDP MMU", fromId: 6999, languageCode: "en");
        await api.WaitForSentMessage(m => m.ChatId == 6999, TimeSpan.FromSeconds(60));
        var warmUp = 1;

        var asked = new Dictionary<long, DateTimeOffset>(); // bystander chat → when it asked
        var enqueued = warmUp;
        var clock = Stopwatch.StartNew();
        using (var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(10)))
        {
            for (var tick = 0; tick < Ticks; tick++)
            {
                api.EnqueueMessage(FloodChat, "/patch kvm", fromId: FloodChat, languageCode: "en");
                foreach (var user in GroupUsers)
                    api.EnqueueMessage(Group, "/patch kvm", chatType: "supergroup", fromId: user, languageCode: "zh-hans");
                enqueued += 1 + GroupUsers.Length;
                if (tick % (Ticks / Bystanders) == 7)
                {
                    var chat = 7000 + asked.Count;
                    asked[chat] = DateTimeOffset.UtcNow;
                    api.EnqueueMessage(chat, "/patch TDP MMU", fromId: chat, languageCode: "en");
                    enqueued++;
                }
                await pace.WaitForNextTickAsync();
            }
        }
        var flood = clock.Elapsed;

        // Every update taken and handled (one log line each), answered or not: then what was sent is all there is.
        await api.WaitFor(_ => Handled(bot.Logs) >= enqueued ? true : (bool?)null, TimeSpan.FromSeconds(120));
        var sent = api.SentMessages;

        var alone = sent.Where(m => m.ChatId == FloodChat).ToList();
        var group = sent.Where(m => m.ChatId == Group).ToList();
        var aloneSlowDowns = alone.Count(m => m.PlainText.Contains("slow down", StringComparison.Ordinal));
        var groupSlowDowns = group.Count(m => m.PlainText.Contains("太快", StringComparison.Ordinal));
        var aloneAnswers = alone.Count(m => m.PlainText.StartsWith("Search: kvm", StringComparison.Ordinal));
        var groupAnswers = group.Count(m => m.PlainText.StartsWith("搜索:kvm", StringComparison.Ordinal));

        var latencies = new List<TimeSpan>();
        foreach (var (chat, at) in asked)
        {
            var answer = Assert.Single(sent, m => m.ChatId == chat);
            Assert.Contains("Introducethe TDP MMU", answer.PlainText, StringComparison.Ordinal);
            latencies.Add(answer.Time - at);
        }
        latencies.Sort();

        Figures.Print(output, "flood",
            $"{Ticks} commands in {flood.TotalSeconds:0.0} s from 1 user (en) → {aloneAnswers} answers + {aloneSlowDowns} slow-down; " +
            $"{Ticks * GroupUsers.Length} from {GroupUsers.Length} users in 1 group (zh) → {groupAnswers} answers + {groupSlowDowns} slow-down; " +
            $"{latencies.Count}/{Bystanders} other chats answered, p50 {Ms(latencies[latencies.Count / 2])}, max {Ms(latencies[^1])} " +
            $"(limits {PerUser}/user, {PerChat}/chat per 60 s)");

        // The whole flood is inside one window: exactly the limit's worth of answers, and one notice, per chat.
        Assert.Equal(PerUser, aloneAnswers);
        Assert.Equal(1, aloneSlowDowns);
        Assert.Equal(PerUser + 1, alone.Count);
        Assert.Equal(PerChat, groupAnswers);
        Assert.Equal(1, groupSlowDowns);
        Assert.Equal(PerChat + 1, group.Count);
        Assert.Equal(Bystanders, latencies.Count);
        Assert.True(latencies[^1] <= Target, $"a chat outside the flood waited {Ms(latencies[^1])} for its answer (target {Ms(Target)})");
        Assert.Contains("Flood in telegram:501", bot.Logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_Discord_interactions_over_the_limit_get_the_notice_shown_to_their_user_alone()
    {
        const int sent = 10;
        await using var discord = await FakeDiscordApi.StartAsync();
        using var signer = new InteractionSigner();
        var work = Directory.CreateTempSubdirectory("kd-fault-discord-").FullName;
        await using var app = await DiscordApp.StartAsync(DiscordApp.Settings(discord, signer.PublicKeyHex, Path.Combine(BotProcess.RepoRoot, "config", "reports"), new Dictionary<string, string>
        {
            ["Discord:DevGuildId"] = "111111111111111111",
            ["Flood:PerUser"] = PerUser.ToString(CultureInfo.InvariantCulture),
            ["Flood:PerChat"] = PerChat.ToString(CultureInfo.InvariantCulture),
        }), work);

        var responses = new List<JsonElement>();
        for (var i = 0; i < sent; i++)
            responses.Add(await app.InteractAsync(Interactions.Command("help", "zh-CN"), signer)); // one user, one channel

        var data = responses.Select(r => r.GetProperty("data")).ToList();
        var notices = data.Where(d => d.TryGetProperty("flags", out var f) && f.GetInt32() == 64).ToList();
        var answers = data.Count - notices.Count;
        Figures.Print(output, "flood-discord",
            $"{sent} /help from 1 user in 1 channel (zh-CN) → {answers} answers, {notices.Count} refused with the notice shown to that user alone (limit {PerUser}/user)");
        Assert.Equal(PerUser, answers);
        Assert.Equal(sent - PerUser, notices.Count);
        Assert.All(notices, n => Assert.Contains("太快", Text(n), StringComparison.Ordinal));
        Assert.All(responses, r => Assert.Equal(4, r.GetProperty("type").GetInt32())); // every interaction answered at once
    }

    /// <summary>Every string in a JSON value, joined: what a message shows, whichever field carries it.</summary>
    private static string Text(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString()!,
        JsonValueKind.Object => string.Join('\n', e.EnumerateObject().Select(p => Text(p.Value))),
        JsonValueKind.Array => string.Join('\n', e.EnumerateArray().Select(Text)),
        _ => "",
    };

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:0} ms";

    private static int Handled(string logs) => HandledLine().Count(logs);

    [GeneratedRegex(@"Telegram update \d+ chat -?\d+ ")]
    private static partial Regex HandledLine();
}
