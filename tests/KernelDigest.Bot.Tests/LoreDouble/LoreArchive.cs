using System.Text;
using System.Text.RegularExpressions;
using MimeKit;

namespace KernelDigest.Bot.Tests.LoreDouble;

/// <summary>One archived message: its raw RFC 5322 text and the header facts public-inbox indexes.</summary>
public sealed record ArchivedMessage
{
    public required string Inbox { get; init; }
    public required string MessageId { get; init; }
    public required string Raw { get; init; }
    public required string Subject { get; init; }
    public required string FromName { get; init; }
    public required string FromEmail { get; init; }
    public required DateTimeOffset Date { get; init; }
    public string? Parent { get; init; }
    public IReadOnlyList<string> References { get; init; } = [];
    public required string Body { get; init; }
    public IReadOnlyList<string> DiffFiles { get; init; } = [];

    /// <summary>Arrival order in its inbox (public-inbox's thread mbox order).</summary>
    public int Arrival { get; init; }
}

/// <summary>
/// The messages a <see cref="FakeLore"/> serves, per inbox: read from mboxrd fixture files written for the tests
/// (<c>Fixtures/&lt;inbox&gt;.mbox</c>), or generated (the benchmark's 5,000-message month).
/// </summary>
public sealed partial class LoreArchive
{
    private readonly Dictionary<string, List<ArchivedMessage>> _inboxes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, ArchivedMessage>> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Inbox, string Id), string> _roots = [];

    public IReadOnlyCollection<string> Inboxes => _inboxes.Keys;

    public IReadOnlyList<ArchivedMessage> In(string inbox) => _inboxes.TryGetValue(inbox, out var list) ? list : [];

    public bool Holds(string inbox) => _inboxes.ContainsKey(inbox);

    public int Count => _inboxes.Values.Sum(l => l.Count);

    public static string FixtureDirectory
    {
        get
        {
            // Not BotProcess.RepoRoot: the load harness compiles this file too.
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Bot.sln")))
                dir = dir.Parent;
            return Path.Combine(dir?.FullName ?? ".", "tests", "KernelDigest.Bot.Tests", "LoreDouble", "Fixtures");
        }
    }

    /// <summary>Every fixture inbox, plus empty inboxes for the other names given (a search there finds nothing).</summary>
    public static LoreArchive Fixtures(params string[] emptyInboxes)
    {
        var archive = new LoreArchive();
        foreach (var file in Directory.EnumerateFiles(FixtureDirectory, "*.mbox").Order(StringComparer.Ordinal))
            archive.AddMbox(Path.GetFileNameWithoutExtension(file), File.ReadAllText(file));
        foreach (var inbox in emptyInboxes)
            archive.AddInbox(inbox);
        return archive;
    }

    public void AddInbox(string inbox) => _inboxes.TryAdd(inbox, []);

    /// <summary>Adds the messages of an mboxrd text ("From " separator lines, "&gt;From " unescaped).</summary>
    public void AddMbox(string inbox, string mbox)
    {
        var text = mbox.Replace("\r\n", "\n", StringComparison.Ordinal);
        var chunks = FromLine().Split(text).Where(c => c.Trim().Length > 0);
        foreach (var chunk in chunks)
            Add(inbox, MboxrdUnescape().Replace(chunk, "$1").TrimEnd('\n') + "\n");
    }

    /// <summary>Adds one raw message (LF line ends).</summary>
    public ArchivedMessage Add(string inbox, string raw)
    {
        var message = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(raw)));
        var from = message.From.Mailboxes.First();
        var references = message.References.ToList();
        if (message.InReplyTo is { Length: > 0 } irt && !references.Contains(irt))
            references.Add(irt);
        var body = message.TextBody ?? "";
        var list = _inboxes.TryGetValue(inbox, out var l) ? l : _inboxes[inbox] = [];
        var archived = new ArchivedMessage
        {
            Inbox = inbox,
            MessageId = message.MessageId ?? throw new InvalidDataException($"a message in {inbox} has no Message-ID"),
            Raw = raw,
            Subject = message.Subject ?? "",
            FromName = string.IsNullOrEmpty(from.Name) ? from.Address.Split('@')[0] : from.Name,
            FromEmail = from.Address,
            Date = message.Date,
            Parent = message.InReplyTo is { Length: > 0 } p ? p : references.LastOrDefault(),
            References = references,
            Body = body,
            DiffFiles = [.. DiffGit().Matches(body).SelectMany(m => new[] { m.Groups[1].Value, m.Groups[2].Value }).Distinct(StringComparer.Ordinal)],
            Arrival = list.Count,
        };
        list.Add(archived);
        var index = _byId.TryGetValue(inbox, out var ix) ? ix : _byId[inbox] = new(StringComparer.Ordinal);
        index.TryAdd(archived.MessageId, archived);
        _roots.Clear();
        return archived;
    }

    /// <summary>The message with this id in this inbox (the last copy when sent twice), or null.</summary>
    public ArchivedMessage? Find(string inbox, string messageId) =>
        In(inbox).LastOrDefault(m => m.MessageId == messageId);

    /// <summary>Every message of the inbox in the thread that holds <paramref name="messageId"/>, in arrival order.</summary>
    public IReadOnlyList<ArchivedMessage> Thread(string inbox, string messageId)
    {
        lock (_roots)
        {
            var root = RootOf(inbox, messageId);
            return [.. In(inbox).Where(m => RootOf(inbox, m.MessageId) == root).OrderBy(m => m.Arrival)];
        }
    }

    private string RootOf(string inbox, string id)
    {
        if (_roots.TryGetValue((inbox, id), out var known))
            return known;
        var byId = _byId.TryGetValue(inbox, out var ix) ? ix : [];
        var current = id;
        for (var i = 0; i < 100 && byId.TryGetValue(current, out var m); i++)
        {
            // The oldest ancestor held here is the root; References name it even when a middle message is missing.
            var ancestor = m.References.FirstOrDefault(byId.ContainsKey);
            if (ancestor is null || ancestor == current)
                break;
            current = ancestor;
        }
        _roots[(inbox, id)] = current;
        return current;
    }

    /// <summary>mboxrd as public-inbox writes it: each message after a "From mboxrd@z …" line, "From " lines quoted.</summary>
    public static string ToMboxrd(IEnumerable<ArchivedMessage> messages)
    {
        var sb = new StringBuilder();
        foreach (var m in messages)
        {
            sb.Append("From mboxrd@z Thu Jan  1 00:00:00 1970\n");
            sb.Append(MboxrdEscape().Replace(m.Raw, ">$1"));
            if (!m.Raw.EndsWith('\n'))
                sb.Append('\n');
            sb.Append('\n');
        }
        return sb.ToString();
    }

    [GeneratedRegex(@"^From \S+ .*\n", RegexOptions.Multiline)]
    private static partial Regex FromLine();

    [GeneratedRegex(@"^>(>*From )", RegexOptions.Multiline)]
    private static partial Regex MboxrdUnescape();

    [GeneratedRegex(@"^(>*From )", RegexOptions.Multiline)]
    private static partial Regex MboxrdEscape();

    [GeneratedRegex(@"^diff --git a/(\S+) b/(\S+)", RegexOptions.Multiline)]
    private static partial Regex DiffGit();
}
