using Celeriac.Dashboard.Tests.Support;
using Celeriac.Testing;
using Microsoft.Playwright;

namespace Celeriac.Dashboard.Tests.Broker;

[Collection(SharedServerCollection.Name)]
public sealed class BrokerAndMetricsTests(SharedServer shared, ITestOutputHelper output) : DashboardTest(shared, output)
{
    [Fact(Timeout = 120_000)]
    public async Task BrokerPage_ParkedMessage_IsListedAndCanBeLookedAt()
    {
        var name = $"tasks.unregistered_{Guid.NewGuid():N}";
        var id = await Python.SendTaskAsync(name, [1]);
        await Server.Process.Process.WaitForLineAsync(line => line.Contains(name, StringComparison.Ordinal) && line.Contains("celery_error", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "the worker parking the unregistered task");

        await OpenAsync("broker");
        var parked = Page.Locator("#queue-rows tr[data-queue='celery_error']");
        // The management API refreshes its counts every 5 s; the page asks every 3 s.
        await Assertions.Expect(parked.Locator("button", new() { HasText = "Look" })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await parked.Locator("button", new() { HasText = "Look" }).ClickAsync();

        var message = Page.Locator(".parked-message", new() { HasText = id });
        await Assertions.Expect(message).ToBeVisibleAsync();
        await Assertions.Expect(message).ToContainTextAsync("is not registered");
        await Assertions.Expect(Page.Locator("#queue-rows tr[data-queue='celery']")).ToBeVisibleAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task Metrics_AfterATask_HasCountersAndRuntimeHistogramPerTaskName()
    {
        var id = await Python.DelayAsync(1, 2);
        await WaitForStateAsync(id, "SUCCESS");
        using var http = Server.Process.CreateClient();

        string text = "";
        await Eventually.WaitAsync(async () =>
        {
            text = await http.GetStringAsync("metrics");
            // The record counts are refreshed at most once a second, so they may trail the histogram by that much.
            return text.Contains("celeriac_task_runtime_seconds_count{name=\"tasks.add\"}", StringComparison.Ordinal)
                   && System.Text.RegularExpressions.Regex.IsMatch(text, """celeriac_task_records\{state="SUCCESS"\} [1-9]""");
        }, Patience, "the runtime histogram of tasks.add and a SUCCESS record count in /metrics");

        Assert.Matches("""celeriac_task_events_total\{name="tasks.add",state="SUCCESS"\} [1-9]""", text);
        Assert.Matches("""celeriac_task_runtime_seconds_bucket\{name="tasks.add",le="\+Inf"\} [1-9]""", text);
        Assert.Matches("""celeriac_task_records\{state="SUCCESS"\} [1-9]""", text);
        Assert.Matches("""celeriac_worker_up\{worker="celeriac@[^"]+"\} 1""", text);
    }

    [Fact(Timeout = 60_000)]
    public async Task Metrics_AfterATaskRanInThisServersWorker_ServeTheCeleriacMeterToo()
    {
        var id = await Python.DelayAsync(3, 4);
        await WaitForStateAsync(id, "SUCCESS");
        using var http = Server.Process.CreateClient();

        // The same instruments an OpenTelemetry exporter reads ("Celeriac" meter), counted by the server's own worker.
        string text = "";
        await Eventually.WaitAsync(async () =>
        {
            text = await http.GetStringAsync("metrics");
            return System.Text.RegularExpressions.Regex.IsMatch(text, """celeriac_meter_tasks_finished_total\{celery_state="SUCCESS",celery_task_name="tasks.add"\} [1-9]""");
        }, Patience, "tasks.add SUCCESS in the celeriac_meter_tasks_finished_total of /metrics");

        Assert.Contains("# TYPE celeriac_meter_tasks_finished_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE celeriac_meter_task_runtime_seconds summary", text, StringComparison.Ordinal);
        Assert.Matches("""celeriac_meter_task_runtime_seconds_count\{celery_state="SUCCESS",celery_task_name="tasks.add"\} [1-9]""", text);
        Assert.Matches("""celeriac_meter_tasks_running\{celery_task_name="tasks.add"\} 0""", text);
    }
}
