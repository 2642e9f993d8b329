using Celeriac.Dashboard.Tests.Support;
using Microsoft.Playwright;

namespace Celeriac.Dashboard.Tests.Tasks;

[Collection(SharedServerCollection.Name)]
public sealed class TaskPageTests(SharedServer shared, ITestOutputHelper output) : DashboardTest(shared, output)
{
    [Fact(Timeout = 120_000)]
    public async Task TaskPage_FinishedTask_ShowsTimelineArgumentsAndResult()
    {
        var id = await Python.DelayAsync(19, 23);
        await WaitForStateAsync(id, "SUCCESS");

        await OpenAsync($"tasks/{id}");

        await Assertions.Expect(Page.Locator("h1 .badge")).ToHaveAttributeAsync("data-state", "SUCCESS");
        var steps = await Page.Locator("#timeline li").EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.step)");
        Assert.Equal(["Created", "Received by a worker", "Started", "Finished: SUCCESS"], steps);
        await Assertions.Expect(Page.Locator("#task-args")).ToContainTextAsync("19");
        await Assertions.Expect(Page.Locator("#task-result")).ToHaveTextAsync("42");
        await Assertions.Expect(Page.Locator("dl.kv")).ToContainTextAsync(id);
    }

    [Fact(Timeout = 120_000)]
    public async Task TaskPage_FailedTask_ShowsExceptionAndTraceback()
    {
        var id = await Python.SendTaskAsync("tasks.fail", ["the disk is full"]);
        await WaitForStateAsync(id, "FAILURE");

        await OpenAsync($"tasks/{id}");

        await Assertions.Expect(Page.Locator("#task-exception")).ToContainTextAsync("InvalidOperationException: the disk is full");
        await Assertions.Expect(Page.Locator("#task-traceback")).ToContainTextAsync("DemoTasks.Fail");
        await Assertions.Expect(Page.Locator("#timeline li[data-step='Finished: FAILURE']")).ToBeVisibleAsync();
        await Screenshots.SaveAsync(Page, "dashboard-task.png");
    }

    [Fact(Timeout = 120_000)]
    public async Task Terminate_RunningTask_TurnsRevokedAndWorkerLogsTheTermination()
    {
        var id = await SendLongSleepAsync();
        await OpenAsync($"tasks/{id}");
        await Assertions.Expect(Page.Locator("h1 .badge")).ToHaveAttributeAsync("data-state", "STARTED", new() { Timeout = 20_000 });
        var from = Server.Process.Process.Lines.Count;

        await Page.ClickAsync("h1 [data-action='terminate']");
        await Assertions.Expect(Page.Locator("#confirm")).ToBeVisibleAsync();
        await Page.ClickAsync("#confirm-ok");

        await Assertions.Expect(Page.Locator("h1 .badge")).ToHaveAttributeAsync("data-state", "REVOKED", new() { Timeout = 20_000 });
        await Server.Process.Process.WaitForLineAsync($"Terminating {id} (15)", TimeSpan.FromSeconds(10), from);
        await Assertions.Expect(Page.Locator("#timeline li[data-step='Revoke requested (terminate)']")).ToBeVisibleAsync();
        Assert.Equal("REVOKED", await Python.StateAsync(id));
    }

    [Fact(Timeout = 120_000)]
    public async Task Revoke_QueuedTaskFromTheList_NeverRuns()
    {
        var running = await SendLongSleepAsync();
        await WaitForStateAsync(running, "STARTED");
        var queued = await Python.DelayAsync(1, 1);
        await OpenAsync();
        // Concurrency 1: the add waits behind the sleep (received, prefetched, not started).
        await Assertions.Expect(Row(queued)).ToHaveAttributeAsync("data-state", "RECEIVED");

        await Row(queued).Locator("[data-action='revoke']").ClickAsync();
        await Page.ClickAsync("#confirm-ok");
        await WaitForRecordAsync(queued, r => r.TryGetProperty("revoke", out _), "carrying the revoke request");

        // Free the slot: a queued task still waiting comes up now and must be discarded, not run.
        using (var http = Server.Process.CreateClient())
        {
            (await http.PostAsync($"api/tasks/{running}/revoke?terminate=true", null)).EnsureSuccessStatusCode();
        }

        await Assertions.Expect(Row(queued)).ToHaveAttributeAsync("data-state", "REVOKED", new() { Timeout = 20_000 });
        var record = await WaitForStateAsync(queued, "REVOKED");
        Assert.False(record.GetProperty("timeline").TryGetProperty("started", out _), $"the revoked task started: {record}");
        Assert.DoesNotContain($"Task tasks.add[{queued}] succeeded", Server.Process.Process.Output, StringComparison.Ordinal);
        Assert.Contains($"Discarding revoked task: tasks.add[{queued}]", Server.Process.Process.Output, StringComparison.Ordinal);
    }
}
