using KernelDigest.Core.Lore;

namespace KernelDigest.Core.Tests.Lore;

public sealed class LoreLinkTests
{
    [Theory]
    [InlineData("https://lore.kernel.org/kvm/20201014182700.2888246-1-bgardon@google.com/", "kvm", "20201014182700.2888246-1-bgardon@google.com")]
    [InlineData("https://lore.kernel.org/kvm/20201014182700.2888246-1-bgardon@google.com/T/#u", "kvm", "20201014182700.2888246-1-bgardon@google.com")]
    [InlineData("https://lore.kernel.org/r/20201014182700.2888246-1-bgardon@google.com", null, "20201014182700.2888246-1-bgardon@google.com")]
    [InlineData("https://lore.kernel.org/all/a%2Fb@x.org/", "all", "a/b@x.org")]
    [InlineData("<20201014182700.2888246-1-bgardon@google.com>", null, "20201014182700.2888246-1-bgardon@google.com")]
    [InlineData("id:abc@x.org", null, "abc@x.org")]
    [InlineData("kvm/abc@x.org", "kvm", "abc@x.org")]
    [InlineData("linux-mm/<abc@x.org>", "linux-mm", "abc@x.org")]
    public void Reads_what_users_paste(string text, string? inbox, string id)
    {
        var link = LoreLink.Parse(text);
        Assert.Equal(new LoreLink(inbox, id), link);
        Assert.Equal(link, LoreLink.Parse(link!.Compact));
    }

    [Theory]
    [InlineData("TDP MMU")]
    [InlineData("https://lwn.net/Articles/832835/")]
    [InlineData("https://lore.kernel.org/kvm/")]
    [InlineData("no-at-sign")]
    [InlineData("")]
    public void Refuses_what_is_not_a_message(string text) => Assert.Null(LoreLink.Parse(text));
}
