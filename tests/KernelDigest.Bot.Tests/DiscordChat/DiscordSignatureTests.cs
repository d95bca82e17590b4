using System.Security.Cryptography;
using System.Text;
using KernelDigest.Bot.DiscordChat;

namespace KernelDigest.Bot.Tests.DiscordChat;

/// <summary>The fixed Ed25519 vectors of platforms.md §1.2 (RFC 8032 TEST 1 key), and the cases that must fail.</summary>
public sealed class DiscordSignatureTests
{
    private const string PublicKey = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    private const string Timestamp = "1700000000";

    private const string PingBody = """{"type":1,"id":"787053080478613555","application_id":"787053080478613554","token":"ThisIsATokenFromDiscordThatIsVeryLong","version":1}""";
    private const string PingSignature = "9c316412212f7abccaf4a28fb44a313dd2f4b5fca411dbb8491411c0a6b63f1226893139f4a9d2e2034058429db319edd39a51cb4a3d59706af38ca148bed405";

    private const string CommandBody = """{"type":2,"id":"787053080478613556","application_id":"787053080478613554","token":"ThisIsATokenFromDiscordThatIsVeryLong","version":1,"guild_id":"111111111111111111","channel_id":"222222222222222222","locale":"zh-CN","member":{"permissions":"32","user":{"id":"333333333333333333","username":"tester"}},"data":{"id":"444444444444444444","name":"ping","type":1}}""";
    private const string CommandSignature = "08654f59ed632b36ef4215dadff3f36dd6628d4b319433fd57ce2a88e50743d284dc0c56cc4105f6e17767415ab10c7236db2394e3b5fb4f83b03b94c5304b0c";

    private const string AutocompleteBody = """{"type":4,"id":"787053080478613557","application_id":"787053080478613554","token":"ThisIsATokenFromDiscordThatIsVeryLong","version":1,"locale":"zh-CN","user":{"id":"333333333333333333","username":"tester"},"data":{"id":"444444444444444444","name":"search","type":1,"options":[{"type":3,"name":"q","value":"你好","focused":true}]}}""";
    private const string AutocompleteSignature = "1103eb3bd24bbd9de4d40d392a6bdfb71d1ecd0ae25fcae5d86f84b2a7a03f28476d2965dfeab782772d57c97d3e4b003fb16ec5b268ccf0c3452e07a6a86707";

    private readonly DiscordSignature _signature = new(PublicKey);

    [Theory]
    [InlineData(PingBody, PingSignature, 134, "7cee58bc423b3096e3848356aa7cca6e6ad63963bb22602fd4f6a12516398a05")]
    [InlineData(CommandBody, CommandSignature, 360, "f47cd85ef7ea09b924682e41e8149d2b3c3df791a04655f08f04c1c7a7aa9917")]
    [InlineData(AutocompleteBody, AutocompleteSignature, 332, "fdb6ab5171a4e1c33ba8f6b166530648f55a01b65f0cf08e01510be476a6dfbc")]
    public void The_reference_vectors_verify(string body, string signature, int length, string sha256)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        Assert.Equal(length, bytes.Length);
        Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));

        Assert.True(_signature.Verify(signature, Timestamp, bytes));
        Assert.True(_signature.Verify(signature.ToUpperInvariant(), Timestamp, bytes));
    }

    [Fact]
    public void Every_negative_case_of_the_reference_fails()
    {
        var body = Encoding.UTF8.GetBytes(PingBody);
        var changed = (byte[])body.Clone();
        changed[10] ^= 1;
        using var other = new InteractionSigner();

        Assert.False(_signature.Verify(PingSignature, "1700000001", body));
        Assert.False(_signature.Verify(PingSignature, Timestamp, changed));
        Assert.False(_signature.Verify(null, Timestamp, body));
        Assert.False(_signature.Verify(PingSignature, null, body));
        Assert.False(_signature.Verify("", "", body));
        Assert.False(_signature.Verify("zz" + PingSignature[2..], Timestamp, body));
        Assert.False(_signature.Verify(PingSignature[..126], Timestamp, body));
        Assert.False(_signature.Verify(PingSignature + "00", Timestamp, body));
        Assert.False(_signature.Verify(other.Sign(Timestamp, body), Timestamp, body));
        Assert.True(new DiscordSignature(other.PublicKeyHex).Verify(other.Sign(Timestamp, body), Timestamp, body));
    }

    [Fact]
    public void A_public_key_must_be_32_bytes_of_hex()
    {
        Assert.True(DiscordSignature.IsValidPublicKey(PublicKey));
        Assert.False(DiscordSignature.IsValidPublicKey(null));
        Assert.False(DiscordSignature.IsValidPublicKey(PublicKey[..62]));
        Assert.False(DiscordSignature.IsValidPublicKey("xy" + PublicKey[2..]));
        Assert.Throws<ArgumentException>(() => new DiscordSignature("not hex"));
    }
}
