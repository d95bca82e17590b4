using System.Globalization;
using System.Text;

namespace KernelDigest.Bot.Tests.DiscordChat;

/// <summary>
/// A synthetic 2020-10 report for the Discord tests: too big for one Discord message, with hostile text (mentions,
/// markdown, a 6,000-character intro) in its title, headings, entries and links. Every entry has the keyword
/// "zebrafish", so a search for it pages.
/// </summary>
public static class ZebrafishReport
{
    public const string Month = "2020-10";
    public const string Title = "Zebrafish report @everyone **2020-10** <@&123456789012345678>";
    public const string HostileTitle = "@everyone **ping** <@&123456789012345678> `rm -rf` ||spoiler|| [click](https://evil.example/) # not a heading";
    public const string HostileSummary = "> quoted @here _under_ ~~strike~~ \\ backslash.";
    public const int VirtualizationEntries = 36;
    public const int FilesystemEntries = 6;

    public static string EntryTitle(int i) => i == 1 ? HostileTitle : $"Zebrafish series {i}: make the frobnicator {i} faster";

    /// <summary>The section intro: 6,000 characters of hostile text.</summary>
    public static string LongIntro { get; } = Repeat("虚拟化 @everyone **bold** ~~strike~~ `code` _x_ ", 6000);

    public static IEnumerable<string> AllTitles =>
        Enumerable.Range(1, VirtualizationEntries + FilesystemEntries).Select(EntryTitle);

    /// <summary>Writes the bundled 2020-09 report and this one into <paramref name="directory"/>.</summary>
    public static void WriteInto(string directory)
    {
        Directory.CreateDirectory(directory);
        File.Copy(Path.Combine(BotProcess.RepoRoot, "config", "reports", "2020-09.md"), Path.Combine(directory, "2020-09.md"), overwrite: true);
        File.WriteAllText(Path.Combine(directory, Month + ".md"), Markdown(), new UTF8Encoding(false));
    }

    public static string Markdown()
    {
        var sb = new StringBuilder();
        sb.Append("---\n")
          .Append("month: ").Append(Month).Append('\n')
          .Append("issue: 5\n")
          .Append("title: '").Append(Title.Replace("'", "''", StringComparison.Ordinal)).Append("'\n")
          .Append("contributors: [Tester]\n")
          .Append("---\n\n");
        sb.Append("# 虚拟化\n\n").Append(Escape(LongIntro)).Append("\n\n");
        for (var i = 1; i <= VirtualizationEntries; i++)
            Entry(sb, i);
        sb.Append("# 文件系统和Block Layer\n\n");
        for (var i = VirtualizationEntries + 1; i <= VirtualizationEntries + FilesystemEntries; i++)
            Entry(sb, i);
        return sb.ToString();
    }

    private static void Entry(StringBuilder sb, int i)
    {
        var n = i.ToString(CultureInfo.InvariantCulture);
        sb.Append("## ").Append(Escape(EntryTitle(i))).Append("\n\n")
          .Append("- authors: Author ").Append(n).Append('\n')
          .Append("- keywords: zebrafish\n\n")
          .Append(Escape(i == 1 ? HostileSummary : $"Zebrafish entry {n} teaches the frobnicator to go faster on big machines. A second sentence that the one-line summary leaves out."))
          .Append("\n\n")
          .Append("### Links\n\n")
          .Append("- [补丁](https://lwn.net/Articles/9").Append(n).Append("/)\n")
          .Append("- <https://lore.kernel.org/lkml/zebrafish-").Append(n).Append("@example.org/>\n\n");
    }

    /// <summary>Backslash-escapes every ASCII punctuation character, as the report writer does (CommonMark).</summary>
    private static string Escape(string text)
    {
        var sb = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is ' ' or '\n' || c > 127)
                sb.Append(c);
            else
                sb.Append('\\').Append(c);
        }
        return sb.ToString();
    }

    private static string Repeat(string text, int length)
    {
        var sb = new StringBuilder(length);
        while (sb.Length < length)
            sb.Append(text);
        return sb.ToString(0, length);
    }
}
