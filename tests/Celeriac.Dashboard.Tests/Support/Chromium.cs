using Microsoft.Playwright;

namespace Celeriac.Dashboard.Tests.Support;

/// <summary>
/// Debian's headless Chromium (<c>/usr/bin/chromium</c>, installed by <c>infra/chromium.sh</c>) driven by Playwright:
/// no <c>playwright install</c>, no browser download.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: run infra/chromium.sh install (./test.sh does).");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
        });
    }

    /// <summary>A fresh browser context (its own cookies) with a page of the screenshots' size.</summary>
    public async Task<IPage> NewPageAsync(Action<string>? log = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1360, Height = 860 } });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        if (log is not null)
        {
            page.Console += (_, message) => log($"[browser {message.Type}] {message.Text}");
            page.PageError += (_, error) => log($"[browser error] {error}");
        }

        return page;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
