using KernelDigest.Core.Reports;
using KernelDigest.Core.Search;

namespace KernelDigest.Core.Commands;

/// <summary>
/// A platform-neutral answer: each platform renders it within its own limits (Telegram HTML and 4,096 characters,
/// Discord embeds, console text). Text here is plain and unescaped; renderers escape for their markup.
/// </summary>
public sealed record Reply
{
    /// <summary>The command that produced it ("patch", "subsystem", "month", "latest", "help", "about", "error").</summary>
    public required string Command { get; init; }

    /// <summary>The user's text the reply answers, as received.</summary>
    public required string Query { get; init; }

    public required string Title { get; init; }

    /// <summary>Paragraphs shown before the items: a section intro, a usage line, an explanation of an error.</summary>
    public IReadOnlyList<string> Body { get; init; } = [];

    public IReadOnlyList<ReplyItem> Items { get; init; } = [];

    /// <summary>Links about the reply as a whole (e.g. nothing per item); usually empty.</summary>
    public IReadOnlyList<ReportLink> Links { get; init; } = [];

    /// <summary>
    /// Buttons that run a command when pressed (a /patch result's "Follow 2", a candidate of /follow): the answer comes
    /// as a new message, the message with the buttons stays as it was.
    /// </summary>
    public IReadOnlyList<ReplyAction> Actions { get; init; } = [];

    /// <summary>Set by a page button's answer: it replaces the message that carried the button.</summary>
    public bool ReplacesMessage { get; init; }

    /// <summary>Set when there are more results than one page holds.</summary>
    public ReplyPage? Page { get; init; }

    /// <summary>True when the reply explains why the input could not be answered.</summary>
    public bool IsError { get; init; }

    /// <summary>Groups items under headings (a digest's sections); empty for flat lists.</summary>
    public IReadOnlyList<ReplyGroup> Groups { get; init; } = [];

    public Lang Lang { get; init; }

    /// <summary>
    /// Run by the platform once the reply has reached the chat (or failed to): e.g. /subscribe wakes the digest
    /// sender only then, so the confirmation comes before the digest it announces.
    /// </summary>
    public Action? AfterSent { get; init; }

    /// <summary>The number the first item is shown under: 1, or where this page starts.</summary>
    public int FirstNumber => Page?.FirstNumber ?? 1;

    /// <summary>
    /// A reply of a few paragraphs to <paramref name="input"/> (a confirmation, a refusal), named after the command it
    /// answers, or <paramref name="command"/> when the input was not a command.
    /// </summary>
    public static Reply To(Inbound input, string command, string title, params string[] body) =>
        new() { Command = input.Command?.Name ?? command, Query = input.Text, Lang = input.Lang, Title = title, Body = body };
}

/// <summary>A button that sends <paramref name="CommandLine"/> ("/follow kvm/&lt;msgid&gt;") as its presser, in the same chat.</summary>
public sealed record ReplyAction(string Label, string CommandLine);

/// <summary>A named run of items (a digest section).</summary>
public sealed record ReplyGroup(string Heading, IReadOnlyList<string> Intro, int FirstItem, int ItemCount);

/// <summary>One listed thing: an entry (with where it comes from) or a subsystem line.</summary>
public sealed record ReplyItem
{
    public required string Title { get; init; }

    /// <summary>A line under the title: authors · month · subsystem.</summary>
    public string? Meta { get; init; }

    /// <summary>A one-line summary (the entry's first sentence).</summary>
    public string? Summary { get; init; }

    /// <summary>An excerpt around the matched words, when the reply answers a search.</summary>
    public Snippet? Snippet { get; init; }

    public IReadOnlyList<ReportLink> Links { get; init; } = [];

    /// <summary>
    /// The entry's page in the web archive (absolute), when <c>Web:BaseUrl</c> is set; renderers link the title to it.
    /// </summary>
    public string? Url { get; init; }

    /// <summary>The entry this item shows, for machine-readable output; null for non-entry items.</summary>
    public EntryRef? Entry { get; init; }
}

/// <summary>Where an entry lives and how well it matched: the fields of <c>ask --json</c> results.</summary>
public sealed record EntryRef(string Month, string Subsystem, string Title, IReadOnlyList<string> Authors, float? Score);

/// <summary>Paging state as data: which page this is, how many there are, and the search that shows any page.</summary>
public sealed record ReplyPage(int Number, int Count, int Total, SearchRequest Search)
{
    public bool HasNext => Number < Count;
    public bool HasPrevious => Number > 1;

    /// <summary>The number the page's first item is shown under (results are numbered across pages).</summary>
    public int FirstNumber => (Number - 1) * ReportCommands.PageSize + 1;

    /// <summary>The command a user can type for page <paramref name="number"/> (e.g. "/patch TDP MMU page:2").</summary>
    public string CommandFor(int number) => $"/patch {Search.Arguments} page:{number}";
}

