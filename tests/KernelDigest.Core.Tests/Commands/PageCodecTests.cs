using KernelDigest.Core.Commands;

namespace KernelDigest.Core.Tests.Commands;

/// <summary>Page buttons as data: tokens within each platform's limit, long searches by a kept key, old buttons still read.</summary>
public sealed class PageCodecTests
{
    [Theory]
    [InlineData("TDP MMU", null, null)]
    [InlineData("mmu", "virtualization", "2020-09")]
    [InlineData("", "filesystems", null)]
    [InlineData("a|b|c", null, "2020-09")]
    public void A_short_search_rides_in_the_token_itself_and_reads_back_the_same(string text, string? subsystem, string? month)
    {
        using var codec = new PageCodec();
        var search = new SearchRequest(text, subsystem, month);

        var token = codec.Encode(search, 7, TokenLimit.Telegram);

        Assert.StartsWith("p|7|", token, StringComparison.Ordinal);
        using var other = new PageCodec(); // another process: an inline token needs nothing kept
        Assert.Equal(new PageTurn(search, 7, false), other.Decode(token));
    }

    [Fact]
    public void A_long_search_gets_a_key_within_each_limit_and_expires_when_the_codec_is_gone()
    {
        using var codec = new PageCodec();
        var search = new SearchRequest(string.Concat(Enumerable.Repeat("总线锁", 30)), "virtualization");

        var telegram = codec.Encode(search, 2, TokenLimit.Telegram);
        var discord = codec.Encode(search, 2, TokenLimit.Discord);

        Assert.True(TokenLimit.Telegram.Fits(telegram));
        Assert.True(TokenLimit.Discord.Fits(discord));
        Assert.StartsWith("k|2|", telegram, StringComparison.Ordinal);
        Assert.Equal(new PageTurn(search, 2, false), codec.Decode(telegram));
        Assert.Equal(telegram, codec.Encode(search, 2, TokenLimit.Telegram)); // one key per search, however often paged

        using var restarted = new PageCodec();
        Assert.Equal(new PageTurn(null, 2, Expired: true), restarted.Decode(telegram));
    }

    [Fact]
    public void Discord_counts_characters_and_Telegram_bytes()
    {
        using var codec = new PageCodec();
        var search = new SearchRequest(string.Concat(Enumerable.Repeat("锁", 40))); // 40 characters, 120 bytes

        Assert.StartsWith("k|", codec.Encode(search, 1, TokenLimit.Telegram), StringComparison.Ordinal);
        Assert.StartsWith("p|", codec.Encode(search, 1, TokenLimit.Discord), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pg|3|zebrafish", "zebrafish", 3, false)]
    [InlineData("pg|2|#", null, 2, true)]
    public void Buttons_sent_before_the_codec_still_page(string token, string? text, int page, bool expired)
    {
        using var codec = new PageCodec();

        var turn = codec.Decode(token);

        Assert.Equal(text, turn.Search?.Text);
        Assert.Equal(page, turn.Page);
        Assert.Equal(expired, turn.Expired);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("something-else")]
    [InlineData("p|0|||x")]
    [InlineData("p|x|||x")]
    [InlineData("p|2|||")]
    [InlineData("p|99999|||x")]
    public void Anything_else_is_not_a_page_button(string? token)
    {
        using var codec = new PageCodec();

        Assert.Equal(PageTurn.Invalid, codec.Decode(token));
    }

    [Fact]
    public void An_action_button_carries_its_command_or_a_key_that_a_restart_forgets()
    {
        using var codec = new PageCodec();
        var shortLine = "/follow linux-arm-kernel/20201014182700.2888246-1-bgardon@google.com";
        var inline = codec.EncodeCommand(shortLine, TokenLimit.Telegram);
        Assert.Equal("f|linux-arm-kernel/20201014182700.2888246-1-bgardon@google.com", inline);
        Assert.True(TokenLimit.Telegram.Fits(inline));
        Assert.True(PageCodec.IsCommand(inline));
        Assert.Equal(shortLine, codec.Decode(inline).CommandLine);
        using (var restarted = new PageCodec())
            Assert.Equal(shortLine, restarted.Decode(inline).CommandLine);

        var longLine = "/follow linux-arm-kernel/" + new string('x', 40) + "@example.com";
        var keyed = codec.EncodeCommand(longLine, TokenLimit.Telegram);
        Assert.True(TokenLimit.Telegram.Fits(keyed));
        Assert.True(PageCodec.IsCommand(keyed));
        Assert.Equal(longLine, codec.Decode(keyed).CommandLine);
        using var other = new PageCodec();
        Assert.Equal(new PageTurn(null, 0, Expired: true), other.Decode(keyed));
        Assert.False(PageCodec.IsCommand("p|2||2020-09|kvm"));
    }
}
