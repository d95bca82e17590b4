using Microsoft.Extensions.Logging.Abstractions;
using System.Net;
using KernelDigest.Bot.Lore;
using KernelDigest.Bot.Tests.LoreDouble;

namespace KernelDigest.Bot.Tests.Lore;

/// <summary>The lore client against the double's formats and faults: paging, retries, Retry-After, timeouts, cut-off and foreign answers.</summary>
public sealed class LoreClientTests
{
    private const string Month = "d:20200901..20200930";

    [Theory]
    [InlineData(450, 3)]
    [InlineData(400, 3)] // two full pages, then public-inbox's bare "</feed>" past the end
    [InlineData(120, 1)]
    public async Task Search_pages_through_200_entries_at_a_time_until_a_short_page(int messages, int pages)
    {
        await using var lore = await FakeLore.StartAsync(SyntheticMonth.Create(messages));
        using var client = LoreHarness.Client(LoreHarness.Options(lore));

        var found = await client.SearchAsync("kvm", Month, DateTimeOffset.MaxValue, null, CancellationToken.None);

        Assert.Equal(messages, found.Count);
        Assert.Equal(messages, found.Select(m => m.MessageId).Distinct().Count());
        Assert.Equal(pages, lore.Requests.Count);
        Assert.Equal(Enumerable.Range(0, pages).Select(p => p == 0 ? "" : $"&o={p * 200}"), lore.Requests.Select(r => r.PathAndQuery.Split("x=A")[1]));
    }

    [Fact]
    public async Task Atom_entries_give_author_subject_time_parent_and_text()
    {
        await using var lore = await FakeLore.StartAsync(LoreArchive.Fixtures());
        using var client = LoreHarness.Client(LoreHarness.Options(lore));

        var found = await client.SearchAsync("kvm", Month, DateTimeOffset.MaxValue, null, CancellationToken.None);

        var review = found.Single(m => m.MessageId == "20200930051005.GB6728@linux.intel.com");
        Assert.Equal(("Sean Christopherson", "sean.j.christopherson@intel.com"), (review.AuthorName, review.AuthorEmail));
        Assert.Equal("Re: [PATCH 1/2] KVM: x86/mmu: Add the TDP iterator", review.Subject);
        Assert.Equal(new DateTimeOffset(2020, 9, 30, 5, 10, 5, TimeSpan.Zero), review.Date);
        Assert.Equal("20200925212302.3979661-2-bgardon@google.com", review.InReplyTo);
        Assert.Contains("> The TDP iterator implements a pre-order traversal", review.Body, StringComparison.Ordinal);
        Assert.Contains("Reviewed-by: Sean Christopherson <sean.j.christopherson@intel.com>", review.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(found, m => m.MessageId == "20200817130945.8571-1-andraprs@amazon.com"); // August
    }

    [Fact]
    public async Task A_thread_comes_whole_with_its_exact_text()
    {
        await using var lore = await FakeLore.StartAsync(LoreArchive.Fixtures());
        using var client = LoreHarness.Client(LoreHarness.Options(lore));

        var thread = await client.ThreadAsync("netdev", "20200914170002.7654321-1-olteanv@gmail.com", CancellationToken.None);

        Assert.Equal(["20200914170002.7654321-1-olteanv@gmail.com", "20200914170002.7654321-2-olteanv@gmail.com", "160029420312.1234.5678901234567890123.git-patchwork-notify@kernel.org"],
            thread.Select(m => m.MessageId));
        Assert.All(thread, m => Assert.True(m.ExactBody));
        Assert.Contains("This series was applied to netdev/net-next.git (refs/heads/master):", thread[2].Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(503)]
    [InlineData(429)]
    public async Task Busy_answers_are_retried_after_their_Retry_After(int status)
    {
        await using var lore = await FakeLore.StartAsync(LoreArchive.Fixtures());
        lore.FailNext(status, times: 2, retryAfterSeconds: 1);
        using var client = LoreHarness.Client(LoreHarness.Options(lore));

        var found = await client.SearchAsync("netdev", Month, DateTimeOffset.MaxValue, null, CancellationToken.None);

        Assert.NotEmpty(found);
        var requests = lore.Requests;
        Assert.Equal([status, status, 200], requests.Select(r => r.Status));
        Assert.True(requests[1].Time - requests[0].Time >= TimeSpan.FromMilliseconds(950), $"waited only {requests[1].Time - requests[0].Time}");
        Assert.True(requests[2].Time - requests[1].Time >= TimeSpan.FromMilliseconds(950), $"waited only {requests[2].Time - requests[1].Time}");
    }

    [Fact]
    public async Task A_slow_answer_times_out_and_is_asked_again()
    {
        await using var lore = await FakeLore.StartAsync(LoreArchive.Fixtures());
        lore.SlowNext(TimeSpan.FromSeconds(5));
        using var client = LoreHarness.Client(LoreHarness.Options(lore, timeout: TimeSpan.FromMilliseconds(300)));

        var found = await client.SearchAsync("netdev", Month, DateTimeOffset.MaxValue, null, CancellationToken.None);

        Assert.NotEmpty(found);
        Assert.Equal(2, client.Requests);
    }

    [Fact]
    public async Task A_body_cut_off_half_way_is_asked_again()
    {
        await using var lore = await FakeLore.StartAsync(LoreArchive.Fixtures());
        lore.TruncateNext(pathContains: "t.mbox.gz");
        using var client = LoreHarness.Client(LoreHarness.Options(lore));

        var thread = await client.ThreadAsync("netdev", "20200914170002.7654321-1-olteanv@gmail.com", CancellationToken.None);

        Assert.Equal(3, thread.Count);
        Assert.Equal(2, client.Requests);
    }

    [Fact]
    public async Task Lasting_faults_end_in_one_message_naming_the_url_and_what_came_back()
    {
        await using var lore = await FakeLore.StartAsync(LoreArchive.Fixtures());
        using var client = LoreHarness.Client(LoreHarness.Options(lore, retries: 2));

        lore.FailNext(503, times: 3); // every attempt: the first and two retries
        var busy = await Assert.ThrowsAsync<LoreException>(() => client.SearchAsync("netdev", Month, DateTimeOffset.MaxValue, null, CancellationToken.None));
        Assert.Equal($"lore: {lore.BaseUrl}netdev/?q=d%3A20200901..20200930&x=A: 503 Service Unavailable (3 attempts)", busy.Message);

        lore.TruncateNext(times: 3);
        var cut = await Assert.ThrowsAsync<LoreException>(() => client.ThreadAsync("netdev", "20200914170002.7654321-1-olteanv@gmail.com", CancellationToken.None));
        Assert.True(cut.Message.Contains("t.mbox.gz: the answer was cut off", StringComparison.Ordinal), cut.Message);

        lore.ServeHtmlNext();
        var before = client.Requests;
        var wall = await Assert.ThrowsAsync<LoreException>(() => client.SearchAsync("netdev", Month, DateTimeOffset.MaxValue, null, CancellationToken.None));
        Assert.EndsWith("not an Atom feed (text/html, page titled 'Making sure you're not a bot!')", wall.Message, StringComparison.Ordinal);
        Assert.Equal(before + 1, client.Requests); // a bot wall is not retried in a loop

        var unknown = await Assert.ThrowsAsync<LoreException>(() => client.ThreadAsync("netdev", "no-such-message@example.com", CancellationToken.None));
        Assert.EndsWith("no-such-message@example.com/t.mbox.gz: 404 Not Found: lore has no such message", unknown.Message, StringComparison.Ordinal);
        var noInbox = await Assert.ThrowsAsync<LoreException>(() => client.SearchAsync("no-such-inbox", Month, DateTimeOffset.MaxValue, null, CancellationToken.None));
        Assert.Contains("is 'no-such-inbox' an inbox on this server?", noInbox.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_double_serves_raw_messages_and_404s_as_public_inbox_does()
    {
        await using var lore = await FakeLore.StartAsync(LoreArchive.Fixtures());
        using var http = new HttpClient { BaseAddress = lore.BaseUrl };

        var raw = await http.GetAsync("kvm/20200925212302.3979661-1-bgardon@google.com/raw");
        var text = await raw.Content.ReadAsStringAsync();
        Assert.StartsWith("From mboxrd@z Thu Jan  1 00:00:00 1970\n", text, StringComparison.Ordinal);
        Assert.Contains("Subject: [PATCH 0/2] KVM: x86/mmu: Introduce the TDP MMU", text, StringComparison.Ordinal);
        var missing = await http.GetAsync("kvm/nope@example.com/raw");
        Assert.Equal((HttpStatusCode.NotFound, "Not Found\n"), (missing.StatusCode, await missing.Content.ReadAsStringAsync()));
        var none = await http.GetAsync("kvm/?q=s:nothing-matches&x=A");
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        Assert.Contains("[No results found]", await none.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("09f77c68-3fb2-ceae-12d1-f80ed48d9bd7", FakeLore.H("20240611081500.1234-3-jane@example.com")); // the reference's check value
    }

    [Fact]
    public async Task Requests_go_one_at_a_time_at_the_configured_pace()
    {
        await using var lore = await FakeLore.StartAsync(LoreArchive.Fixtures());
        var options = LoreHarness.Options(lore);
        options.MaxRequestsPerMinute = 300; // one every 200 ms
        // Pacing is judged where requests leave the client: arrival adds the network's jitter (a first request also
        // opens the connection), which on a loaded machine is tens of milliseconds.
        var departures = new Subscriptions.DepartureRecorder();
        using var client = new LoreClient(options, TimeProvider.System, NullLogger<LoreClient>.Instance,
            new Subscriptions.DepartureHandler(departures) { InnerHandler = new SocketsHttpHandler() });

        await Task.WhenAll(new[] { "kvm", "netdev", "linux-block" }.Select(inbox => client.SearchAsync(inbox, Month, DateTimeOffset.MaxValue, null, CancellationToken.None)));

        var times = departures.Times.Order().ToList();
        Assert.Equal(3, times.Count);
        Assert.Equal(3, lore.Requests.Count);
        Assert.All(times.Zip(times.Skip(1)), p => Assert.True(p.Second - p.First >= TimeSpan.FromMilliseconds(180), $"{p.Second - p.First} apart"));
    }
}
