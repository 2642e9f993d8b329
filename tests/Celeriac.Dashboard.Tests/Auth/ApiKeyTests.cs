using System.Net;
using Celeriac.Dashboard.Tests.Support;
using Celeriac.Testing;
using Microsoft.Playwright;

namespace Celeriac.Dashboard.Tests.Auth;

/// <summary>With API keys (the HTTP API's), the dashboard wants one: a login form that keeps it in an HttpOnly cookie.</summary>
public sealed class ApiKeyTests : IClassFixture<ApiKeyTests.KeyServer>, IDisposable
{
    private const string Key = "dashboard-test-key-7f3a";

    private readonly KeyServer _fixture;
    private readonly ITestOutputHelper _output;

    public ApiKeyTests(KeyServer fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
        fixture.Log.Attach(_output.WriteLine);
    }

    private DashboardServer Server => _fixture.Server;

    public void Dispose() => _fixture.Log.Detach();

    [Theory(Timeout = 60_000)]
    [InlineData("dashboard/api/tasks")]
    [InlineData("dashboard/api/stats")]
    [InlineData("dashboard/api/stream")]
    [InlineData("metrics")]
    public async Task Request_WithoutKey_IsRefused(string path)
    {
        using var http = Server.Process.CreateClient();

        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "x-functions-key", "not-the-key" } } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong, HttpCompletionOption.ResponseHeadersRead)).StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task Request_WithKeyHeader_IsServed()
    {
        using var http = Server.Process.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", Key);

        using var response = await http.GetAsync("metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("# TYPE celeriac_task_events_total counter", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Page_WithoutKey_RedirectsToTheLoginForm()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = Server.Process.BaseAddress };

        using var response = await http.GetAsync("dashboard/workers");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/dashboard/login?returnUrl=%2Fdashboard%2Fworkers", response.Headers.Location?.ToString());
    }

    [Fact(Timeout = 90_000)]
    public async Task Login_WithTheKey_OpensTheDashboardAndKeepsTheKeyInAnHttpOnlyCookie()
    {
        var page = await _fixture.Chromium.NewPageAsync(_output.WriteLine);
        await page.GotoAsync(new Uri(Server.Dashboard, "workers").ToString());
        Assert.Contains("/dashboard/login", page.Url, StringComparison.Ordinal);

        await page.FillAsync("#key", "a wrong key");
        await page.ClickAsync("button[type='submit']");
        await Assertions.Expect(page.Locator(".error")).ToContainTextAsync("not one of this server's API keys");

        await page.FillAsync("#key", Key);
        await page.ClickAsync("button[type='submit']");

        await Assertions.Expect(page.Locator("#live")).ToHaveAttributeAsync("data-mode", "live");
        Assert.EndsWith("/dashboard/workers", page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, page.Url, StringComparison.Ordinal);
        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "celeriac-dashboard-key");
        Assert.True(cookie.HttpOnly, "the key cookie must be HttpOnly");
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.False(await page.EvaluateAsync<bool>("() => document.cookie.includes('celeriac-dashboard-key')"), "script can read the key cookie");
        await Assertions.Expect(page.Locator("[data-worker]")).ToHaveCountAsync(1);

        await page.ClickAsync("form.logout button");
        Assert.Contains("/dashboard/login", page.Url, StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    /// <summary>One browser and one server started with <c>--api-key</c>, shared by the class's tests.</summary>
    public sealed class KeyServer : IAsyncLifetime
    {
        public LogRelay Log { get; } = new();

        public Chromium Chromium { get; } = new();

        public DashboardServer Server { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await Chromium.InitializeAsync();
            Server = await DashboardServer.StartAsync("dashboard-keys", Log, "--api-key", Key);
        }

        public async Task DisposeAsync()
        {
            if (Server is not null)
            {
                await Server.DisposeAsync();
            }

            await Chromium.DisposeAsync();
        }
    }
}
