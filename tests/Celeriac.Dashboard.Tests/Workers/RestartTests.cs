using System.Net.Http.Json;
using System.Text.Json;
using Celeriac.Dashboard.Tests.Support;
using Celeriac.Testing;
using Microsoft.Playwright;

namespace Celeriac.Dashboard.Tests.Workers;

/// <summary>What Flower forgets: after a restart of the server the same tasks and workers are listed.</summary>
public sealed class RestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly LogRelay _log = new();
    private readonly Chromium _chromium = new();

    public async Task InitializeAsync()
    {
        _log.Attach(output.WriteLine);
        await _chromium.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        _log.Detach();
    }

    [Fact(Timeout = 180_000)]
    public async Task Restart_Server_ListsTheSameTasksAndWorkers()
    {
        await using var server = await DashboardServer.StartAsync("dashboard-restart", _log, "--hostname", "first@%h");
        string id;
        await using (var python = await PythonClient.StartAsync(server.VirtualHost, output.WriteLine))
        {
            id = await python.DelayAsync(4, 5);
            Assert.Equal(9, (await python.GetAsync(id, TimeSpan.FromSeconds(20))).Result!.Value.GetInt32());
        }

        var page = await _chromium.NewPageAsync(output.WriteLine);
        await page.GotoAsync(new Uri(server.Dashboard, "workers").ToString());
        var first = page.Locator("[data-worker^='first@']");
        await Assertions.Expect(first).ToHaveAttributeAsync("data-online", "true");
        await Assertions.Expect(first.Locator("[data-field='processed']")).ToHaveTextAsync("1");
        await server.StopAsync();

        await server.StartAsync("--hostname", "second@%h");
        await page.GotoAsync(server.Dashboard.ToString());
        await Assertions.Expect(page.Locator($"#task-rows tr[data-task-id='{id}']")).ToHaveAttributeAsync("data-state", "SUCCESS");

        await page.GotoAsync(new Uri(server.Dashboard, "workers").ToString());
        await Assertions.Expect(page.Locator("[data-worker^='second@']")).ToHaveAttributeAsync("data-online", "true");
        await Assertions.Expect(first).ToHaveAttributeAsync("data-online", "false");
        await Assertions.Expect(first.Locator("[data-field='processed']")).ToHaveTextAsync("1");

        using var http = server.Process.CreateClient();
        var workers = await http.GetFromJsonAsync<JsonElement>("dashboard/api/workers");
        Assert.Equal(2, workers.GetArrayLength());
        await Screenshots.SaveAsync(page, "dashboard-workers.png");
        await page.Context.CloseAsync();
    }
}
