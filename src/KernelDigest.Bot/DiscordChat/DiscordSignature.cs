using System.Text;
using NSec.Cryptography;

namespace KernelDigest.Bot.DiscordChat;

/// <summary>
/// Checks Discord's Ed25519 request signature: <c>X-Signature-Ed25519</c> (hex) over the UTF-8 bytes of
/// <c>X-Signature-Timestamp</c> followed by the raw body, with the application's public key. Anything missing,
/// malformed or wrong is simply "not verified"; the endpoint answers 401.
/// </summary>
public sealed class DiscordSignature
{
    public const string SignatureHeader = "X-Signature-Ed25519";
    public const string TimestampHeader = "X-Signature-Timestamp";

    private const int SignatureHexLength = 128;
    private const int MaxTimestampLength = 64;

    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;

    private readonly PublicKey _key;

    /// <param name="publicKeyHex">The application's public key, 64 hex characters.</param>
    public DiscordSignature(string publicKeyHex)
    {
        byte[] raw;
        try
        {
            raw = Convert.FromHexString(publicKeyHex);
        }
        catch (FormatException ex)
        {
            throw new ArgumentException("Discord:PublicKey is not hex.", nameof(publicKeyHex), ex);
        }
        if (!PublicKey.TryImport(Algorithm, raw, KeyBlobFormat.RawPublicKey, out var key) || key is null)
            throw new ArgumentException("Discord:PublicKey is not an Ed25519 public key (32 bytes as 64 hex characters).", nameof(publicKeyHex));
        _key = key;
    }

    /// <summary>True when <paramref name="hex"/> is an Ed25519 public key: 32 bytes as 64 hex characters.</summary>
    public static bool IsValidPublicKey(string? hex)
    {
        if (hex is not { Length: 64 })
            return false;
        try
        {
            return PublicKey.TryImport(Algorithm, Convert.FromHexString(hex), KeyBlobFormat.RawPublicKey, out _);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>True only when both headers are present and the signature is valid for exactly these bytes.</summary>
    public bool Verify(string? signatureHex, string? timestamp, ReadOnlySpan<byte> body)
    {
        if (signatureHex is not { Length: SignatureHexLength } || string.IsNullOrEmpty(timestamp) || timestamp.Length > MaxTimestampLength)
            return false;
        byte[] signature;
        try
        {
            signature = Convert.FromHexString(signatureHex);
        }
        catch (FormatException)
        {
            return false;
        }
        var stampLength = Encoding.UTF8.GetByteCount(timestamp);
        var message = new byte[stampLength + body.Length];
        Encoding.UTF8.GetBytes(timestamp, message);
        body.CopyTo(message.AsSpan(stampLength));
        return Algorithm.Verify(_key, message, signature);
    }
}
