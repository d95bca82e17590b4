using System.Text.Encodings.Web;
using KernelDigest.Core;

namespace KernelDigest.Bot.Web;

/// <summary>
/// Links from one page to the others, always relative, so the archive works behind a proxy's path prefix and as
/// static files. Site paths have no leading slash: <c>""</c> (home), <c>reports/2020-09</c>,
/// <c>reports/2020-09/{slug}</c>, <c>subsystems</c>, <c>subsystems/{key}</c>, <c>search</c>, and files such as
/// <c>feed.atom</c> and <c>assets/site.css</c>.
/// </summary>
/// <remarks>
/// Served, a page is at its path and a chosen language travels as <c>?lang=</c> (no choice: the reader's
/// <c>Accept-Language</c>). Exported, a page is <c>{path}.html</c> (home <c>index.html</c>), the English pages under
/// <c>en/</c>; files are language-neutral and sit at their path in both.
/// </remarks>
internal sealed class SiteLinks
{
    private readonly string _currentFile;
    private readonly string _currentPath;
    private readonly string? _langQuery;

    private SiteLinks(bool exported, Lang lang, string currentPath, bool langChosen)
    {
        IsExport = exported;
        Lang = lang;
        _currentPath = currentPath;
        _currentFile = PageFile(currentPath, lang);
        _langQuery = !exported && langChosen ? "?lang=" + lang.Code() : null;
    }

    public bool IsExport { get; }

    public Lang Lang { get; }

    /// <summary>Links for a served page; <paramref name="langChosen"/> when the reader picked the language by link.</summary>
    public static SiteLinks Served(string path, Lang lang, bool langChosen) => new(false, lang, path, langChosen);

    public static SiteLinks Exported(string path, Lang lang) => new(true, lang, path, langChosen: false);

    /// <summary>A page of the site, in this page's language.</summary>
    public string Page(string path) => Relative(_currentFile, PageFile(path, Lang)) + (_langQuery ?? "");

    /// <summary>A file of the site (a feed, a stylesheet): the same in every language.</summary>
    public string File(string path) => Relative(_currentFile, path);

    /// <summary>This page in the other language.</summary>
    public string OtherLanguage()
    {
        var other = Lang == Lang.En ? Lang.Zh : Lang.En;
        return IsExport
            ? Relative(_currentFile, PageFile(_currentPath, other))
            : Relative(_currentFile, _currentFile) + "?lang=" + other.Code();
    }

    /// <summary>True when the reader picked the language by link, so forms must carry it on.</summary>
    public bool LangChosen => _langQuery is not null;

    /// <summary>Where the search form sends its query.</summary>
    public string SearchAction => Relative(_currentFile, "search");

    /// <summary>A page of search results (served only: a static copy has no search).</summary>
    public string Search(string query, int page)
    {
        var href = Relative(_currentFile, "search") + "?q=" + UrlEncoder.Default.Encode(query);
        if (page > 1)
            href += "&page=" + page.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return _langQuery is null ? href : href + "&lang=" + Lang.Code();
    }

    private string PageFile(string path, Lang lang)
    {
        if (!IsExport)
            return path;
        var file = path.Length == 0 ? "index.html" : path + ".html";
        return lang == Lang.En ? "en/" + file : file;
    }

    /// <summary>From the folder <paramref name="from"/> is in, up to the root, then down to <paramref name="to"/>.</summary>
    internal static string Relative(string from, string to)
    {
        var depth = from.Count(c => c == '/');
        var up = string.Concat(Enumerable.Repeat("../", depth));
        var href = up + to;
        return href.Length == 0 ? "./" : href;
    }
}
