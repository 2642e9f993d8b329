using System.Text.RegularExpressions;
using Celeriac.Dashboard.Tests.Support;
using Celeriac.Testing;
using Microsoft.Playwright;

namespace Celeriac.Dashboard.Tests.Tasks;

/// <summary>
/// Tasks a real Python Celery worker runs get a record from its events (the worker keeps none), while tasks of the
/// server's own Celeriac worker keep the record that worker wrote.
/// </summary>
[Collection(SharedServerCollection.Name)]
public sealed partial class PythonWorkerRecordingTests(SharedServer shared, ITestOutputHelper output) : DashboardTest(shared, output)
{
    [Fact(Timeout = 180_000)]
    public async Task EventRecorder_TaskRunByPythonWorker_IsListedWithItsFinalState()
    {
        var queue = $"dashboard-py-{Guid.NewGuid():N}";
        await using var worker = await StartPythonWorkerAsync(queue);

        var multiplied = await Python.SendTaskWithOptionsAsync("dashboard.multiply", [6, 7], new Dictionary<string, object?> { ["queue"] = queue });
        var failed = await Python.SendTaskWithOptionsAsync("dashboard.fail", ["python says no"], new Dictionary<string, object?> { ["queue"] = queue });

        var success = await WaitForStateAsync(multiplied, "SUCCESS");
        Assert.Equal("dashboard.multiply", success.GetProperty("name").GetString());
        Assert.Equal(worker.Name, success.GetProperty("worker").GetString());
        Assert.Equal("42", success.GetProperty("result").GetString());
        var failure = await WaitForStateAsync(failed, "FAILURE");
        Assert.Contains("python says no", failure.GetRawText(), StringComparison.Ordinal);

        await OpenAsync();
        await Assertions.Expect(Row(multiplied)).ToHaveAttributeAsync("data-state", "SUCCESS");
        await Assertions.Expect(Row(multiplied)).ToContainTextAsync("dashboard.multiply");
        await Assertions.Expect(Row(failed)).ToHaveAttributeAsync("data-state", "FAILURE");
        await OpenAsync($"tasks/{multiplied}");
        await Assertions.Expect(Page.Locator("body")).ToContainTextAsync(worker.Name);
    }

    [Fact(Timeout = 120_000)]
    public async Task EventRecorder_TaskRunByCeleriacWorker_KeepsTheRecordTheWorkerWrote()
    {
        var id = await Python.DelayAsync(20, 30);

        var record = await WaitForStateAsync(id, "SUCCESS");

        // The worker's record holds the value itself; one written from its event would hold the repr "50".
        Assert.Equal(50, record.GetProperty("result").GetInt32());
        Assert.Equal(2, record.GetProperty("args").GetArrayLength());
    }

    private async Task<PythonWorker> StartPythonWorkerAsync(string queue)
    {
        var process = ManagedProcess.Start(TestEnvironment.Python,
            ["-m", "celery", "-A", "dashboard_tasks", "worker", "--loglevel=info", "--pool=solo", "-E", "-Q", queue,
                "-n", $"py-dash-{Guid.NewGuid().ToString("N")[..6]}@%h", "--without-mingle", "--without-gossip"],
            new Dictionary<string, string> { ["CELERY_BROKER_URL"] = Server.VirtualHost.PyAmqpUrl },
            workingDirectory: PythonClient.HelpersDirectory, log: Output.WriteLine, label: "python-worker");
        try
        {
            var ready = await process.WaitForLineAsync(ReadyLine(), TimeSpan.FromSeconds(60));
            return new PythonWorker(process, ReadyLine().Match(ready).Groups["node"].Value);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    // "[2026-11-21 10:00:00,123: INFO/MainProcess] py-dash-1a2b3c@host ready."
    [GeneratedRegex(@"\] (?<node>\S+@\S+) ready\.$")]
    private static partial Regex ReadyLine();

    private sealed record PythonWorker(ManagedProcess Process, string Name) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Process.DisposeAsync();
    }
}
