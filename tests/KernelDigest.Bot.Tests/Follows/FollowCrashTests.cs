using System.Globalization;
using KernelDigest.Bot.Tests.LoreDouble;
using KernelDigest.Bot.Tests.TelegramDouble;

namespace KernelDigest.Bot.Tests.Follows;

/// <summary>
/// The bot killed (SIGKILL) after lore showed a new version and before the chat was told: the notice is in the outbox,
/// and the next process sends it, once. A real process, because a kill -9 is what no code of the app sees coming.
/// </summary>
public sealed class FollowCrashTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static string Mail(string id, string subject, DateTimeOffset date, string? parent = null) =>
        $"From: Ada Dev <ada@example.com>\nTo: kvm@vger.kernel.org\nSubject: {subject}\nDate: {date.ToString("r", CultureInfo.InvariantCulture)}\nMessage-ID: <{id}>\n"
        + (parent is null ? "" : $"In-Reply-To: <{parent}>\nReferences: <{parent}>\n")
        + "Content-Type: text/plain; charset=utf-8\n\nA patch.\n";

    [Fact]
    public async Task Killed_between_the_new_version_and_its_notice_the_next_process_sends_the_notice_exactly_once()
    {
        const long chat = 930_001;
        var archive = new LoreArchive();
        archive.AddInbox("kvm");
        archive.Add("kvm", Mail("crash-v1@example.com", "[PATCH 0/1] KVM: x86: Survive a crash", DateTimeOffset.UtcNow.AddHours(-2)));
        await using var lore = await FakeLore.StartAsync(archive);
        await using var api = await FakeBotApi.StartAsync();
        var data = Directory.CreateTempSubdirectory("kd-follow-crash-").FullName;
        var settings = new Dictionary<string, string>
        {
            ["Telegram__BotToken"] = api.Token,
            ["Telegram__ApiBaseUrl"] = api.BaseUrl.ToString(),
            ["Telegram__PollTimeoutSeconds"] = "1",
            ["Lore__BaseUrl"] = lore.BaseUrl.ToString(),
            ["Lore__PollInterval"] = "00:00:01",
            ["Lore__MaxRequestsPerMinute"] = "6000",
            ["Lore__MaxRetries"] = "0",
            ["Follows__Inboxes__0"] = "kvm",
        };

        await using (var first = BotHost.Start(settings, data))
        {
            api.EnqueueMessage(chat, "/follow kvm/crash-v1@example.com", languageCode: "en");
            await first.Within(api.WaitForSentMessage(m => m.ChatId == chat && m.PlainText.StartsWith("Following «Survive a crash»", StringComparison.Ordinal), Patience));

            // The platform turns the notice away for a while (429): it is owed, not sent, when the process dies.
            api.FailNext("sendMessage", 429, "Too Many Requests: retry after 3", retryAfter: 3, chatId: chat);
            lore.Archive.Add("kvm", Mail("crash-v2@example.com", "[PATCH v2 0/1] KVM: x86: Survive a crash", DateTimeOffset.UtcNow));
            await first.Within(api.WaitFor(a => a.TooManyRequestsSent >= 1 ? true : (bool?)null, Patience));
            first.Kill();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }
        Assert.DoesNotContain(api.SentMessages, m => m.ChatId == chat && m.PlainText.StartsWith("v2 of «", StringComparison.Ordinal));

        await using var second = BotHost.Start(settings, data);
        await second.Within(api.WaitForSentMessage(m => m.ChatId == chat && m.PlainText.StartsWith("v2 of «Survive a crash» by Ada Dev", StringComparison.Ordinal), Patience));
        // Three more polls re-read the same day: the version stays told once.
        var polls = Polls(second);
        await second.Within(api.WaitFor(_ => Polls(second) >= polls + 3 ? true : (bool?)null, Patience));
        Assert.Single(api.SentMessages, m => m.ChatId == chat && m.PlainText.StartsWith("v2 of «", StringComparison.Ordinal));
        await second.StopAsync();
        Directory.Delete(data, recursive: true);
    }

    private static int Polls(BotHost bot) => bot.Logs.Split("Follow poll: ").Length - 1;
}
