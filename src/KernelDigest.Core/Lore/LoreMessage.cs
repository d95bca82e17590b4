using System.Text;
using MimeKit;

namespace KernelDigest.Core.Lore;

/// <summary>
/// One mailing-list message as the series builder needs it, whichever public-inbox form it came from (an Atom search
/// entry or a raw/mbox message parsed with MimeKit).
/// </summary>
public sealed record LoreMessage
{
    /// <summary>The Message-ID without angle brackets.</summary>
    public required string MessageId { get; init; }

    /// <summary>The inbox it was found in ("kvm"), which is also where its lore link points.</summary>
    public required string Inbox { get; init; }

    public required string Subject { get; init; }
    public required string AuthorName { get; init; }
    public required string AuthorEmail { get; init; }
    public required DateTimeOffset Date { get; init; }

    /// <summary>The message's own parent (last of References + In-Reply-To), null for a thread's first message.</summary>
    public string? InReplyTo { get; init; }

    /// <summary>Every ancestor named in References and In-Reply-To, oldest first.</summary>
    public IReadOnlyList<string> References { get; init; } = [];

    /// <summary>The plain text of the message's text parts.</summary>
    public required string Body { get; init; }

    /// <summary>The lore link of the message (<c>&lt;base&gt;/&lt;inbox&gt;/&lt;msgid&gt;/</c>).</summary>
    public required string Url { get; init; }

    /// <summary>True when the body is the message's exact text (MIME), false when read back from an Atom page.</summary>
    public bool ExactBody { get; init; }

    /// <summary>
    /// Reads a message parsed by MimeKit. The author falls back from <c>From:</c> to <c>Sender:</c>, and an address
    /// without a display name gets its local part, as public-inbox shows it.
    /// </summary>
    public static LoreMessage FromMime(MimeMessage message, string inbox, Uri baseUrl)
    {
        var id = message.MessageId ?? "";
        var mailbox = message.From.Mailboxes.FirstOrDefault() ?? message.Sender;
        var email = mailbox?.Address ?? "";
        var name = !string.IsNullOrWhiteSpace(mailbox?.Name) ? mailbox!.Name.Trim() : email.Split('@')[0];
        var references = message.References.ToList();
        var parent = message.InReplyTo;
        if (!string.IsNullOrEmpty(parent) && !references.Contains(parent))
            references.Add(parent);
        // public-inbox trusts In-Reply-To over the last References entry for the parent.
        parent = !string.IsNullOrEmpty(parent) ? parent : references.LastOrDefault();
        return new LoreMessage
        {
            MessageId = id,
            Inbox = inbox,
            Subject = Squeeze(message.Subject ?? ""),
            AuthorName = name,
            AuthorEmail = email,
            Date = message.Date,
            InReplyTo = string.IsNullOrEmpty(parent) ? null : parent,
            References = references,
            Body = BodyText(message),
            Url = LoreUrls.Message(baseUrl, inbox, id),
            ExactBody = true,
        };
    }

    private static string BodyText(MimeMessage message)
    {
        var text = message.TextBody;
        if (text is not null)
            return text.ReplaceLineEndings("\n");
        // A multipart patch with the diff as an attachment: every text part, in order.
        var sb = new StringBuilder();
        foreach (var part in message.BodyParts.OfType<TextPart>())
            sb.Append(part.Text.ReplaceLineEndings("\n")).Append('\n');
        return sb.ToString();
    }

    internal static string Squeeze(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}

/// <summary>Lore URL forms (see docs: public-inbox WWW): message links and the escaping of Message-IDs in a path.</summary>
public static class LoreUrls
{
    /// <summary><c>&lt;base&gt;/&lt;inbox&gt;/&lt;escaped msgid&gt;/</c>.</summary>
    public static string Message(Uri baseUrl, string inbox, string messageId) =>
        $"{baseUrl.ToString().TrimEnd('/')}/{inbox}/{EscapeMessageId(messageId)}/";

    /// <summary>
    /// Percent-encodes a Message-ID for a path segment the way public-inbox writes it: every UTF-8 byte except the
    /// RFC 3986 pchar set, so '/' becomes %2F and '@' stays.
    /// </summary>
    public static string EscapeMessageId(string messageId)
    {
        var sb = new StringBuilder(messageId.Length + 8);
        foreach (var b in Encoding.UTF8.GetBytes(messageId.Trim('<', '>')))
        {
            var c = (char)b;
            if (b < 0x80 && (char.IsAsciiLetterOrDigit(c) || "-._~!$&'()*+,;=:@".Contains(c, StringComparison.Ordinal)))
                sb.Append(c);
            else
                sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>The Message-ID in a lore message link (<c>…/&lt;inbox&gt;/&lt;msgid&gt;/</c>), unescaped; null if it is not one.</summary>
    public static string? MessageIdFromUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            return null;
        var segments = uri.AbsolutePath.Trim('/').Split('/');
        return segments.Length >= 2 ? Uri.UnescapeDataString(segments[^1]) : null;
    }
}
