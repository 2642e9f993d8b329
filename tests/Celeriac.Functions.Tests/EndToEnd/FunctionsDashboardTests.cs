using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Celeriac.Dashboard.Tests.Support;
using Celeriac.Functions.Tests.Support;
using Celeriac.Server.Tests.Support;
using Celeriac.Testing;
using Microsoft.DurableTask.Entities;
using Microsoft.Playwright;

namespace Celeriac.Functions.Tests.EndToEnd;

/// <summary>
/// The dashboard served by the Functions app's catch-all HTTP function (<c>dashboard/{*path}</c>) through the same
/// endpoints as <c>celeriac serve</c>: the page in headless Chromium, its JSON, and the worker table from heartbeats.
/// </summary>
[Collection(FunctionsAppCollection.Name)]
public sealed class FunctionsDashboardTests : IAsyncLifetime
{
    private readonly FunctionsAppFixture _fixture;
    private readonly ITestOutputHelper _output;
    private readonly Chromium _chromium = new();

    public FunctionsDashboardTests(FunctionsAppFixture fixture, ITestOutputHelper output)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        _fixture = fixture;
        _output = output;
        fixture.Log.Attach(output.WriteLine);
    }

    private Uri Dashboard => new(_fixture.Stack.Functions.HttpAddress, "dashboard/");

    public Task InitializeAsync() => _chromium.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        _fixture.Log.Detach();
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task DashboardFunction_TaskRunByTheApp_IsListedOnThePage()
    {
        var accepted = (await _fixture.Api.EnqueueAsync("tasks.add", """{"args": [40, 2]}""")).AssertStatus(HttpStatusCode.Accepted);
        var id = accepted.Json.GetProperty("id").GetString()!;
        Assert.Equal("SUCCESS", (await _fixture.Api.WaitForFinalAsync(id)).State);

        var page = await _chromium.NewPageAsync(_output.WriteLine);
        try
        {
            var response = await page.GotoAsync(Dashboard.ToString());
            Assert.Equal(200, response!.Status);
            var row = page.Locator($"#task-rows tr[data-task-id='{id}']");
            await Assertions.Expect(row).ToHaveAttributeAsync("data-state", "SUCCESS", new() { Timeout = 30_000 });
            await Assertions.Expect(row).ToContainTextAsync("tasks.add");

            await page.GotoAsync(new Uri(Dashboard, $"tasks/{id}").ToString());
            await Assertions.Expect(page.Locator("body")).ToContainTextAsync("celeriac-functions@", new() { Timeout = 30_000 });
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task DashboardFunction_Workers_ListTheAppsWorkerFromItsHeartbeats()
    {
        using var http = new HttpClient { BaseAddress = Dashboard, Timeout = TimeSpan.FromSeconds(30) };
        JsonElement workers = default;
        await Eventually.WaitAsync(async () =>
        {
            workers = await http.GetFromJsonAsync<JsonElement>("api/workers");
            return workers.EnumerateArray().Any(w => w.GetProperty("hostname").GetString()!.StartsWith("celeriac-functions@", StringComparison.Ordinal)
                && w.GetProperty("online").GetBoolean());
        }, TestTimeouts.Long, "the Functions app's worker online in dashboard/api/workers");

        var worker = workers.EnumerateArray().First(w => w.GetProperty("hostname").GetString()!.StartsWith("celeriac-functions@", StringComparison.Ordinal));
        var hostname = worker.GetProperty("hostname").GetString()!;
        Assert.Equal("celeriac", worker.GetProperty("software").GetString());

        // Kept across restarts in its DashboardWorker entity, as the Durable extension stores it.
        await Eventually.WaitAsync(async () =>
            await _fixture.Stack.Durable.Client.Entities.GetEntityAsync(new EntityInstanceId("DashboardWorker", hostname), includeState: true) is { IncludesState: true } entity
            && entity.State.ReadAs<string?>() is { } state && state.Contains(hostname, StringComparison.Ordinal),
            TestTimeouts.Long, $"the DashboardWorker entity of {hostname}");
        Assert.DoesNotContain(_fixture.Lines, l => l.Contains("could not be saved in the worker table", StringComparison.Ordinal)
            || l.Contains("the worker table could not be read", StringComparison.Ordinal));
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task MetricsFunction_AfterATaskSucceeded_CountsItInPrometheusText()
    {
        var accepted = (await _fixture.Api.EnqueueAsync("tasks.add", """{"args": [1, 2]}""")).AssertStatus(HttpStatusCode.Accepted);
        Assert.Equal("SUCCESS", (await _fixture.Api.WaitForFinalAsync(accepted.Json.GetProperty("id").GetString()!)).State);
        using var http = new HttpClient { BaseAddress = _fixture.Stack.Functions.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };

        // The task-succeeded event reaches the dashboard's feed shortly after the record: wait for it to be counted.
        await Eventually.WaitAsync(async () =>
            (await http.GetStringAsync("metrics")).Contains("celeriac_task_events_total{name=\"tasks.add\",state=\"SUCCESS\"}", StringComparison.Ordinal),
            TestTimeouts.Long, "tasks.add SUCCESS counted in /metrics");
        var response = await http.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task DashboardFunction_UnknownDashboardPath_Answers404()
    {
        using var http = new HttpClient { BaseAddress = Dashboard, Timeout = TimeSpan.FromSeconds(30) };

        var response = await http.GetAsync("api/no-such-thing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
