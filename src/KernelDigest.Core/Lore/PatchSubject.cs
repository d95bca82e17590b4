using System.Globalization;
using System.Text.RegularExpressions;

namespace KernelDigest.Core.Lore;

/// <summary>
/// A patch e-mail subject read the way b4 reads it (<c>LoreSubject</c>): reply marker, bracket tags flattened, the
/// revision (v1 when absent), counter/expected, RFC and RESEND flags, every other tag kept as a prefix; then the bare
/// subject split into its subsystem prefixes (keywords) and the title.
/// </summary>
/// <example><c>[PATCH v3 05/12] KVM: x86/mmu: Introduce the TDP MMU</c> → revision 3, 5/12, title "Introduce the TDP MMU", keywords KVM, x86/mmu.</example>
public sealed partial record PatchSubject
{
    public required string Original { get; init; }
    public bool IsReply { get; init; }

    /// <summary>True when the subject carries bracket tags with PATCH, RFC or a counter: a patch submission, not talk.</summary>
    public bool IsPatch { get; init; }

    public int Revision { get; init; } = 1;
    public bool RevisionInferred { get; init; } = true;
    public int Counter { get; init; } = 1;
    public int Expected { get; init; } = 1;
    public bool CounterInferred { get; init; } = true;
    public bool IsRfc { get; init; }
    public bool IsResend { get; init; }

    /// <summary>The tags other than PATCH, the revision and the counter ("net-next").</summary>
    public IReadOnlyList<string> Prefixes { get; init; } = [];

    /// <summary>The subject without the reply marker and bracket tags ("KVM: x86/mmu: Introduce the TDP MMU").</summary>
    public required string Bare { get; init; }

    /// <summary>The bare subject without its subsystem prefixes ("Introduce the TDP MMU").</summary>
    public required string Title { get; init; }

    /// <summary>The subsystem prefixes, in order ("KVM", "x86/mmu").</summary>
    public IReadOnlyList<string> Keywords { get; init; } = [];

    /// <summary>True for a cover letter: counter 0 of an explicit n.</summary>
    public bool IsCover => IsPatch && !CounterInferred && Counter == 0;

    /// <summary>The bare subject lower-cased with whitespace squeezed: what b4 matches revisions on (with the author).</summary>
    public string Normalized => LoreMessage.Squeeze(Bare).ToLowerInvariant();

    public static PatchSubject Parse(string subject)
    {
        var s = LoreMessage.Squeeze(subject);
        var reply = false;
        // "Re: Re: Fwd:" — b4 also takes "Aw:" and any 2-3 letter "xx: [" as a reply marker.
        while (true)
        {
            var m = ReplyMarker().Match(s);
            if (!m.Success)
                break;
            reply = true;
            s = s[m.Length..].TrimStart();
        }
        if (!reply && LocalizedReply().IsMatch(s))
        {
            reply = true;
            s = LocalizedReply().Replace(s, "[", 1);
        }
        // Nested brackets flattened until stable: "[PATCH [net-next] v2]" → "[PATCH net-next v2]".
        string before;
        do
        {
            before = s;
            s = Nested1().Replace(s, "[$1$2]");
            s = Nested2().Replace(s, "[$1$2]");
        }
        while (s != before);

        var revision = 1;
        var revisionInferred = true;
        var counter = 1;
        var expected = 1;
        var counterInferred = true;
        var rfc = false;
        var resend = false;
        var patch = false;
        var prefixes = new List<string>();
        while (LeadingTag().Match(s) is { Success: true } tag)
        {
            s = s[tag.Length..].TrimStart();
            var inner = PatchRevision().Replace(tag.Groups[1].Value, "$1 $2");
            foreach (var raw in inner.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var chunk = raw.Trim(',', ';');
                if (chunk.Length == 0)
                    continue;
                var lower = chunk.ToLowerInvariant();
                if (CounterChunk().Match(chunk) is { Success: true } c)
                {
                    counter = int.Parse(c.Groups[1].Value, CultureInfo.InvariantCulture);
                    expected = int.Parse(c.Groups[2].Value, CultureInfo.InvariantCulture);
                    counterInferred = false;
                    patch = true;
                }
                else if (RevisionChunk().IsMatch(chunk))
                {
                    revision = int.Parse(chunk.AsSpan(1), CultureInfo.InvariantCulture);
                    revisionInferred = false;
                }
                else if (lower.StartsWith("rfc", StringComparison.Ordinal))
                {
                    rfc = true;
                    patch = true;
                }
                else if (lower.StartsWith("resend", StringComparison.Ordinal))
                    resend = true;
                else if (lower.StartsWith("patch", StringComparison.Ordinal))
                    patch = true;
                else
                    prefixes.Add(chunk);
            }
        }
        expected = Math.Max(expected, counter); // "[PATCH 6/5]"
        var bare = s.Trim();
        var (title, keywords) = SplitPrefixes(bare);
        return new PatchSubject
        {
            Original = subject,
            IsReply = reply,
            IsPatch = patch,
            Revision = revision,
            RevisionInferred = revisionInferred,
            Counter = counter,
            Expected = expected,
            CounterInferred = counterInferred,
            IsRfc = rfc,
            IsResend = resend,
            Prefixes = prefixes,
            Bare = bare,
            Title = title,
            Keywords = keywords,
        };
    }

    /// <summary>
    /// Splits "KVM: x86/mmu: Introduce the TDP MMU" into keywords (each leading "word:" without spaces) and the title.
    /// A prefix is only taken while something remains, so "fs: " alone stays a title.
    /// </summary>
    internal static (string Title, IReadOnlyList<string> Keywords) SplitPrefixes(string bare)
    {
        var keywords = new List<string>();
        var rest = bare;
        while (SubsystemPrefix().Match(rest) is { Success: true } m && m.Length < rest.Length)
        {
            keywords.Add(m.Groups[1].Value);
            rest = rest[m.Length..];
        }
        return (rest.Trim(), keywords);
    }

    [GeneratedRegex(@"^(?:re|aw|fwd?)\s*:\s*", RegexOptions.IgnoreCase)]
    private static partial Regex ReplyMarker();

    [GeneratedRegex(@"^\w{2,3}:\s*\[")]
    private static partial Regex LocalizedReply();

    [GeneratedRegex(@"\[([^\]]*)\[([^\[\]]*)\]")]
    private static partial Regex Nested1();

    [GeneratedRegex(@"\[([^\]]*)\]([^\[\]]*)\]")]
    private static partial Regex Nested2();

    [GeneratedRegex(@"^\[([^\]]*)\]")]
    private static partial Regex LeadingTag();

    [GeneratedRegex(@"(patch)(v\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex PatchRevision();

    [GeneratedRegex(@"^(\d{1,4})/(\d{1,4})$")]
    private static partial Regex CounterChunk();

    [GeneratedRegex(@"^[vV]\d+$")]
    private static partial Regex RevisionChunk();

    [GeneratedRegex(@"^([^\s:\[\]]{1,40}):\s+")]
    private static partial Regex SubsystemPrefix();
}
