using Microsoft.Playwright;

namespace Scheduler.IntegrationTests.Admin;

/// <summary>
/// A page of the dashboard in a real headless Chromium (Debian's <c>chromium</c>, driven by Microsoft.Playwright; scripts/services.sh installs
/// it): every expectation and action waits up to the timeout given (the page refreshes every 5 s; the CI box may be loaded), and
/// <see cref="Errors"/> collects the page's script errors and every Content Security Policy violation (the page loads nothing its policy forbids).
/// </summary>
internal sealed class DashboardBrowser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private DashboardBrowser(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
        page.PageError += (_, message) => Errors.Add(message);
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                Errors.Add(message.Text);
            }
        };
    }

    /// <summary>The browser: <c>SCHEDULER_TEST_CHROMIUM</c>, else Debian's <c>/usr/bin/chromium</c>. Playwright's own downloads are not used.</summary>
    public static string Chromium => Environment.GetEnvironmentVariable("SCHEDULER_TEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public IPage Page { get; }

    public List<string> Errors { get; } = [];

    /// <summary>Starts the browser with one page, 1400 × 1000 (the screenshots' size), waiting up to <paramref name="timeout"/> for anything.</summary>
    public static async Task<DashboardBrowser> OpenAsync(TimeSpan timeout)
    {
        Assert.True(File.Exists(Chromium), $"No browser at {Chromium}. Run scripts/services.sh (it installs Debian's chromium) or set SCHEDULER_TEST_CHROMIUM.");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        page.SetDefaultTimeout((float)timeout.TotalMilliseconds);
        Assertions.SetDefaultExpectTimeout((float)timeout.TotalMilliseconds);
        return new DashboardBrowser(playwright, browser, page);
    }

    /// <summary>Opens <paramref name="dashboard"/> and waits until its first load is done.</summary>
    public async Task GotoAsync(Uri dashboard)
    {
        await Page.GotoAsync(dashboard.ToString());
        await Page.WaitForSelectorAsync("body[data-loaded=true]");
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
