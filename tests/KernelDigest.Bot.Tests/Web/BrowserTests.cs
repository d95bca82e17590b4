using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace KernelDigest.Bot.Tests.Web;

/// <summary>
/// The archive in a real browser: Debian's <c>chromium</c> driven through <c>chromedriver</c> (both installed by
/// <c>.ci/run</c>; nothing is downloaded). A reader opens the archive, follows a month and an entry, searches with a
/// filter, pages, switches language, and no script error reaches the console. Screenshots of the main pages are saved
/// under <c>screenshots/</c> in the test output folder.
/// </summary>
public sealed class BrowserTests(ArchiveBot archive) : IClassFixture<ArchiveBot>
{
    private const string Chromium = "/usr/bin/chromium";
    private const string Driver = "/usr/bin/chromedriver";

    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");

    [SkippableFact]
    public void A_reader_follows_a_month_an_entry_searches_pages_and_switches_language()
    {
        using var browser = Open(width: 1280);
        var base_ = archive.BaseUrl.ToString();

        browser.Navigate().GoToUrl(base_);
        Assert.Equal("Linux 内核月报", browser.FindElement(By.TagName("h1")).Text);
        Shot(browser, "home-zh");

        browser.FindElement(By.CssSelector("h2#latest a")).Click();
        Assert.EndsWith("/reports/2020-09", browser.Url, StringComparison.Ordinal);
        Assert.Equal(15, browser.FindElements(By.CssSelector("article.entry")).Count);
        Shot(browser, "month-zh");

        browser.FindElement(By.LinkText("Introducethe TDP MMU")).Click();
        Assert.EndsWith("/reports/2020-09/introducethe-tdp-mmu", browser.Url, StringComparison.Ordinal);
        Assert.Equal("Introducethe TDP MMU", browser.FindElement(By.TagName("h1")).Text);
        Assert.Contains("Ben Gardon", browser.FindElement(By.TagName("main")).Text, StringComparison.Ordinal);
        Shot(browser, "entry-zh");

        // The search box, typed into and submitted as a reader would (a GET form: no script involved).
        var box = browser.FindElement(By.CssSelector("form.search input[name=q]"));
        box.SendKeys("TDP subsystem:kvm");
        box.Submit();
        Assert.Contains("/search?q=", browser.Url, StringComparison.Ordinal);
        var results = browser.FindElements(By.CssSelector("ol.results > li"));
        Assert.NotEmpty(results);
        Assert.Contains(results, r => r.FindElement(By.TagName("h2")).Text == "Introducethe TDP MMU");
        Assert.NotEmpty(browser.FindElements(By.CssSelector("ol.results mark")));
        Shot(browser, "search-zh");

        browser.Navigate().GoToUrl(base_ + "search?q=month:2020-09");
        browser.FindElement(By.CssSelector("nav.pager a[rel=next]")).Click();
        Assert.Contains("page=2", browser.Url, StringComparison.Ordinal);
        Assert.Equal(5, browser.FindElements(By.CssSelector("ol.results > li")).Count);

        browser.Navigate().GoToUrl(base_ + "reports/2020-09");
        browser.FindElement(By.CssSelector("a.lang")).Click();
        Assert.EndsWith("/reports/2020-09?lang=en", browser.Url, StringComparison.Ordinal);
        Assert.Equal("en", browser.FindElement(By.TagName("html")).GetAttribute("lang"));
        Assert.Equal("Subsystems", browser.FindElement(By.CssSelector("nav.site a[href$='subsystems?lang=en']")).Text);
        browser.FindElement(By.CssSelector("nav.site a[href$='subsystems?lang=en']")).Click();
        Assert.Equal("Subsystems", browser.FindElement(By.TagName("h1")).Text);
        Shot(browser, "subsystems-en");

        var errors = browser.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level >= OpenQA.Selenium.LogLevel.Warning).ToList();
        Assert.True(errors.Count == 0, "the browser console reported: " + string.Join("\n", errors.Select(e => e.Message)));
    }

    [SkippableFact]
    public void On_a_phone_the_month_page_fits_the_screen_and_dark_mode_follows_the_system()
    {
        using var browser = Open(width: 390, dark: true);
        browser.Navigate().GoToUrl(archive.BaseUrl + "reports/2020-09");
        var js = browser;
        var scrollWidth = Convert.ToInt64(js.ExecuteScript("return document.documentElement.scrollWidth"), System.Globalization.CultureInfo.InvariantCulture);
        var clientWidth = Convert.ToInt64(js.ExecuteScript("return document.documentElement.clientWidth"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(scrollWidth <= clientWidth, $"the page scrolls sideways on a phone: {scrollWidth} > {clientWidth}");
        var background = (string)js.ExecuteScript("return getComputedStyle(document.body).backgroundColor")!;
        Assert.Equal("rgb(22, 23, 26)", background); // --bg of the dark scheme
        Shot(browser, "month-phone-dark");
    }

    private static ChromeDriver Open(int width, bool dark = false)
    {
        var missing = new[] { Chromium, Driver }.Where(p => !File.Exists(p)).ToList();
        if (missing.Count > 0)
        {
            var message = $"{string.Join(" and ", missing)} not installed (apt-get install -y chromium chromium-driver; .ci/run does)";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
                Assert.Fail(message);
            Skip.If(true, message);
        }
        Environment.SetEnvironmentVariable("SE_OFFLINE", "true"); // Selenium Manager must not fetch a browser or driver
        var options = new ChromeOptions { BinaryLocation = Chromium };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", $"--window-size={width},900",
            "--lang=zh-CN", "--no-first-run", "--disable-extensions");
        options.AddUserProfilePreference("intl.accept_languages", "zh-CN,zh"); // a Chinese reader's browser
        if (dark)
            options.AddArgument("--force-dark-mode");
        options.SetLoggingPreference(LogType.Browser, OpenQA.Selenium.LogLevel.All);
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Driver)!, Path.GetFileName(Driver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        driver.Manage().Timeouts().PageLoad = TimeSpan.FromSeconds(30);
        return driver;
    }

    private static void Shot(ChromeDriver browser, string name)
    {
        Directory.CreateDirectory(Screenshots);
        // The whole page, not just the window: resize to the document's height first.
        var height = Convert.ToInt32(browser.ExecuteScript("return document.documentElement.scrollHeight"), System.Globalization.CultureInfo.InvariantCulture);
        var size = browser.Manage().Window.Size;
        browser.Manage().Window.Size = new System.Drawing.Size(size.Width, Math.Min(Math.Max(height, 600), 4000));
        browser.GetScreenshot().SaveAsFile(Path.Combine(Screenshots, name + ".png"));
        browser.Manage().Window.Size = size;
    }
}
