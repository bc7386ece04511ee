using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Kci.IntegrationTests.Infrastructure;

/// <summary>
/// Debian's chromium, headless, driven by Playwright for .NET through <c>ExecutablePath</c> (Playwright's own browser download
/// cannot reach its servers here; <c>scripts/stack.sh tools</c> installs chromium). <c>KCI_CHROMIUM</c> names another binary.
/// </summary>
public sealed class ConsoleBrowser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private ConsoleBrowser(IPlaywright playwright, IBrowser browser) => (_playwright, _browser) = (playwright, browser);

    public static async Task<ConsoleBrowser> LaunchAsync()
    {
        var path = Environment.GetEnvironmentVariable("KCI_CHROMIUM") is { Length: > 0 } set ? set : "/usr/bin/chromium";
        if (!File.Exists(path))
            throw new InvalidOperationException($"No chromium at {path}: scripts/stack.sh tools installs Debian's");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = path,
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage"], // as root, and in small containers
        });
        return new ConsoleBrowser(playwright, browser);
    }

    /// <summary>A fresh page (its own cookies) on <paramref name="baseAddress"/>.</summary>
    public async Task<IPage> NewPageAsync(Uri baseAddress)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            Locale = "en-GB",
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        return page;
    }

    /// <summary>
    /// Waits until the browser shows a page whose address satisfies <paramref name="at"/> and that page has finished loading,
    /// and says where the browser is instead when it does not get there. It asks the page for <c>document.readyState</c> rather
    /// than waiting on Playwright's load events: after a form's POST and redirect, Playwright once missed the new page's
    /// <c>load</c> and waited out its timeout on a page that had loaded (CI, 2026-11-26).
    /// </summary>
    public static async Task ArriveAsync(IPage page, string expected, Func<Uri, bool> at)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (at(new Uri(page.Url)))
            {
                try
                {
                    if (await page.EvaluateAsync<string>("document.readyState") == "complete")
                        return;
                }
                catch (PlaywrightException)
                {
                    // The document went away while it was asked: a navigation is still under way.
                }
            }
            await Task.Delay(50);
        }
        Assert.Fail($"Expected {expected}, at {page.Url}: {await page.Locator("body").InnerTextAsync()}");
    }

    /// <summary>Waits for the browser to be at exactly <paramref name="pathAndQuery"/>, loaded (see the other overload).</summary>
    public static Task ArriveAsync(IPage page, string pathAndQuery) =>
        ArriveAsync(page, pathAndQuery, url => url.PathAndQuery == pathAndQuery);

    /// <summary>axe-core's WCAG 2 A and AA rules on the page as it is: labels, names, contrast, landmarks, keyboard focus order.</summary>
    public static async Task AssertAccessibleAsync(IPage page)
    {
        var result = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        var violations = result.Violations.Select(v =>
            $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Take(3).Select(n => n.Target?.ToString()))}").ToList();
        Assert.True(violations.Count == 0, $"{page.Url}: {string.Join("\n", violations)}");
    }

    /// <summary>A screenshot under <c>KCI_SCREENSHOTS</c> (docs/ when the README's pictures are made again), else the test's output folder.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Environment.GetEnvironmentVariable("KCI_SCREENSHOTS") is { Length: > 0 } set ? set : Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
