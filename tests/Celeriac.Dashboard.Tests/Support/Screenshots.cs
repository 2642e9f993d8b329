using Celeriac.Testing;
using Microsoft.Playwright;

namespace Celeriac.Dashboard.Tests.Support;

/// <summary>The README's screenshots, taken by the tests that show those pages, into docs/images/.</summary>
public static class Screenshots
{
    public static string Directory { get; } = Path.Combine(TestEnvironment.RepositoryRoot, "docs", "images");

    public static async Task SaveAsync(IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        System.IO.Directory.CreateDirectory(Directory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Directory, name), FullPage = false });
    }
}
