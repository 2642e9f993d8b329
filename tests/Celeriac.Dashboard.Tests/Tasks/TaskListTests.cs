using Celeriac.Dashboard.Tests.Support;
using Microsoft.Playwright;

namespace Celeriac.Dashboard.Tests.Tasks;

[Collection(SharedServerCollection.Name)]
public sealed class TaskListTests(SharedServer shared, ITestOutputHelper output) : DashboardTest(shared, output)
{
    [Fact(Timeout = 120_000)]
    public async Task TaskList_TaskSentFromPython_AppearsLiveWithoutReload()
    {
        await OpenAsync();
        // A reload would drop this mark: the row must come from a push, not a new page.
        await Page.EvaluateAsync("() => window.__sameDocument = true");

        var id = await Python.DelayAsync(2, 3);

        await Assertions.Expect(Row(id)).ToBeVisibleAsync();
        await Assertions.Expect(Row(id)).ToHaveAttributeAsync("data-state", "SUCCESS", new() { Timeout = 15_000 });
        await Assertions.Expect(Row(id)).ToContainTextAsync("tasks.add");
        Assert.True(await Page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page reloaded instead of updating live");
        await Assertions.Expect(Page.Locator("[data-count='SUCCESS'] .value")).Not.ToHaveTextAsync("0");
    }

    [Fact(Timeout = 120_000)]
    public async Task TaskList_WithoutServerSentEvents_FallsBackToPolling()
    {
        // A proxy that cuts event streams: the page must still update, by polling.
        await Page.RouteAsync("**/dashboard/api/stream", route => route.AbortAsync());
        await Page.GotoAsync(Server.Dashboard.ToString());
        await Assertions.Expect(Page.Locator("#live")).ToHaveAttributeAsync("data-mode", "polling", new() { Timeout = 20_000 });

        var id = await Python.DelayAsync(3, 4);

        await Assertions.Expect(Row(id)).ToHaveAttributeAsync("data-state", "SUCCESS", new() { Timeout = 20_000 });
    }

    [Fact(Timeout = 120_000)]
    public async Task TaskList_FilterAndSearch_NarrowTheList()
    {
        var marker = $"needle-{Guid.NewGuid():N}";
        var added = await Python.DelayAsync(20, 22);
        var echoed = await Python.SendTaskAsync("tasks.echo", [marker]);
        var failed = await Python.SendTaskAsync("tasks.fail", ["boom on purpose"]);
        await WaitForStateAsync(added, "SUCCESS");
        await WaitForStateAsync(echoed, "SUCCESS");
        await WaitForStateAsync(failed, "FAILURE");
        await OpenAsync();
        await Assertions.Expect(Row(failed)).ToBeVisibleAsync();
        await Assertions.Expect(Row(echoed)).ToBeVisibleAsync();

        await Page.SelectOptionAsync("#filter-state", "FAILURE");
        await Assertions.Expect(Row(echoed)).ToHaveCountAsync(0);
        await Assertions.Expect(Row(failed)).ToBeVisibleAsync();
        foreach (var state in await Rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.state)"))
        {
            Assert.Equal("FAILURE", state);
        }

        await Page.SelectOptionAsync("#filter-state", "");
        await Page.FillAsync("#filter-q", marker);
        await Assertions.Expect(Rows).ToHaveCountAsync(1);
        await Assertions.Expect(Row(echoed)).ToBeVisibleAsync();
        Assert.Contains($"q={marker}", Page.Url, StringComparison.Ordinal);

        await Page.FillAsync("#filter-q", "");
        await Page.FillAsync("#filter-name", "tasks.add");
        await Assertions.Expect(Row(added)).ToBeVisibleAsync();
        await Assertions.Expect(Row(echoed)).ToHaveCountAsync(0);
        await Assertions.Expect(Row(failed)).ToHaveCountAsync(0);
    }

    [Fact(Timeout = 120_000)]
    public async Task TaskList_SeveralOutcomes_ScreenshotForTheReadme()
    {
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add(await Python.DelayAsync(i, i * 10));
        }

        ids.Add(await Python.SendTaskAsync("tasks.fail", ["the disk is full"]));
        ids.Add(await Python.SendTaskAsync("tasks.echo", ["report.pdf"], new Dictionary<string, object?> { ["pages"] = 12 }));
        foreach (var id in ids)
        {
            await WaitForRecordAsync(id, r => r.GetProperty("final").GetBoolean(), "finished");
        }

        var running = await SendLongSleepAsync();
        var queued = await Python.DelayAsync(7, 8);
        await WaitForStateAsync(running, "STARTED");
        await OpenAsync();
        await Assertions.Expect(Row(running)).ToHaveAttributeAsync("data-state", "STARTED");
        await Assertions.Expect(Row(queued)).ToBeVisibleAsync();
        await Assertions.Expect(Page.Locator("#throughput path[data-series='succeeded']")).ToHaveCountAsync(1);
        await Screenshots.SaveAsync(Page, "dashboard-tasks.png");
    }
}
