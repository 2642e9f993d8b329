using System.Net;
using Celeriac.Dashboard.Tests.Support;
using Microsoft.Playwright;

namespace Celeriac.Dashboard.Tests.Auth;

/// <summary>A page on another site that the user has open must not revoke or terminate tasks through their browser.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class CrossSiteTests(SharedServer shared, ITestOutputHelper output) : DashboardTest(shared, output)
{
    private const string Attacker = "http://attacker.test";

    [Fact(Timeout = 120_000)]
    public async Task CrossSitePost_FromAnotherSitesForm_IsRefusedAndTheTaskKeepsRunning()
    {
        var id = await SendLongSleepAsync();
        await WaitForStateAsync(id, "STARTED");
        var target = new Uri(Server.Dashboard, $"api/tasks/{id}/revoke?terminate=true");
        await Page.RouteAsync($"{Attacker}/**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            ContentType = "text/html",
            Body = $"<html><body><form id='f' method='post' action='{target}'></form><script>document.getElementById('f').submit()</script></body></html>",
        }));

        var response = await Page.RunAndWaitForResponseAsync(() => Page.GotoAsync($"{Attacker}/"), r => r.Url.Contains("/revoke", StringComparison.Ordinal));

        Assert.Equal(403, response.Status);
        var record = await WaitForStateAsync(id, "STARTED");
        Assert.False(record.TryGetProperty("revoke", out _), $"the cross-site post revoked the task: {record}");
    }

    [Theory(Timeout = 60_000)]
    [InlineData(Attacker, "cross-site", true)]
    [InlineData(null, null, false)]
    [InlineData("null", null, true)]
    public async Task RevokePost_NotFromTheDashboardsOwnScript_IsRefused(string? origin, string? fetchSite, bool withActionHeader)
    {
        using var http = Server.Process.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"dashboard/api/tasks/{Guid.NewGuid()}/revoke");
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (fetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
        }

        if (withActionHeader)
        {
            request.Headers.Add("X-Celeriac-Dashboard", "1");
        }

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task Dashboard_RequestForAnotherHostName_IsRefusedWithoutKeys()
    {
        // A DNS-rebinding page reaches the loopback address under its own host name: without keys that is refused.
        using var http = Server.Process.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "dashboard/api/tasks") { Headers = { Host = "attacker.test" } };

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
