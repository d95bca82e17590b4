using KernelDigest.Bot.Follows;
using KernelDigest.Core.Lore;

namespace KernelDigest.Bot.Tests.Follows;

/// <summary>What /watch accepts and what the poller sends lore for it.</summary>
public sealed class WatchQueryTests
{
    private static readonly DateTime Day = new(2026, 11, 30, 8, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("s:io_uring", "(s:io_uring) d:20261130..")]
    [InlineData("s:foo OR s:bar", "(s:foo OR s:bar) d:20261130..")]
    [InlineData("dfn:mm NOT f:bot", "(dfn:mm NOT f:bot) d:20261130..")]
    public void The_date_binds_to_the_whole_query(string query, string sent) => Assert.Equal(sent, WatchPoller.Since(query, Day));

    [Theory]
    [InlineData("s:\"io_uring", false)]
    [InlineData("(s:foo OR s:bar", false)]
    [InlineData("s:foo) OR (s:bar", false)]
    [InlineData("s:\"a (b\" f:x", true)]
    [InlineData("(s:foo OR s:bar) f:x", true)]
    public void Unclosed_quotes_and_brackets_are_refused(string query, bool balanced) => Assert.Equal(balanced, WatchCommands.Balanced(query));

    [Theory]
    [InlineData("https://lore.kernel.org/kvm/?q=s%3Aio_uring+f%3Aaxboe", "kvm", "s:io_uring f:axboe")]
    [InlineData("dfn:arch/x86/kvm/mmu  f:seanjc", "all", "dfn:arch/x86/kvm/mmu f:seanjc")]
    public void A_search_link_names_its_inbox(string text, string inbox, string query) =>
        Assert.Equal(new WatchedQuery(inbox, query), WatchCommands.Parse(text, "all", "lore.kernel.org"));

    [Theory]
    [InlineData("https://evil.example/kvm/?q=s:x")]
    [InlineData("https://lore.kernel.org/..%2Fadmin/?q=s:x")]
    [InlineData("https://lore.kernel.org/kvm/")]
    [InlineData("")]
    public void Links_elsewhere_and_empty_queries_are_refused(string text) => Assert.Null(WatchCommands.Parse(text, "all", "lore.kernel.org"));

    [Fact]
    public void A_mail_dated_in_the_future_moves_the_position_to_now_at_most()
    {
        var now = new DateTimeOffset(Day);
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(now);
        LoreMessage Mail(DateTimeOffset date) => new()
        {
            Inbox = "kvm", MessageId = date.Ticks + "@x", Subject = "[PATCH] x", AuthorName = "A", AuthorEmail = "a@x", Date = date, Url = "u", Body = "",
        };
        Assert.Equal(now, FollowPoller.Advance(now.AddHours(-1), [Mail(now.AddYears(1))], clock));
        Assert.Equal(now.AddMinutes(-5), FollowPoller.Advance(now.AddHours(-1), [Mail(now.AddMinutes(-5))], clock));
        Assert.Equal(now.AddHours(-1), FollowPoller.Advance(now.AddHours(-1), [Mail(now.AddDays(-3))], clock));
    }
}
