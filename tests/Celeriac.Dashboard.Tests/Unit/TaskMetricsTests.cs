using System.Text.Json;
using Celeriac.Core.States;
using Celeriac.Dashboard.Metrics;
using Celeriac.Dashboard.Workers;

namespace Celeriac.Dashboard.Tests.Unit;

public sealed class TaskMetricsTests
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Observe_SucceededWithoutName_CountsUnderTheNameFromTaskReceived()
    {
        var metrics = new TaskMetrics(TimeSpan.FromMinutes(10));

        metrics.Observe(Event("""{"type": "task-received", "uuid": "a", "name": "tasks.add"}"""), s_now);
        metrics.Observe(Event("""{"type": "task-succeeded", "uuid": "a", "runtime": 0.3}"""), s_now);

        var snapshot = metrics.Snapshot();
        Assert.Contains(new TaskCount("tasks.add", "SUCCESS", 1), snapshot.Counts);
        var runtime = Assert.Single(snapshot.Runtimes);
        Assert.Equal(1, runtime.Count);
        Assert.Equal(1, runtime.Buckets[Array.IndexOf(TaskMetrics.RuntimeBuckets, 0.5)]);
        Assert.Equal(1.0 / 5, metrics.Throughput(s_now, 5).Succeeded[^1], 6);
    }

    [Fact]
    public void Write_Histogram_IsCumulativeWithInfAndParsableLabels()
    {
        var metrics = new TaskMetrics(TimeSpan.FromMinutes(10));
        metrics.Observe(Event("""{"type": "task-received", "uuid": "a", "name": "tasks.say \"hi\""}"""), s_now);
        metrics.Observe(Event("""{"type": "task-succeeded", "uuid": "a", "runtime": 0.001}"""), s_now);

        var text = PrometheusText.Write(metrics.Snapshot(), new Dictionary<TaskState, long> { [TaskState.Success] = 3 },
            [new WorkerRecord { Hostname = "w1@h", FirstSeen = s_now, LastSeen = s_now, Active = 2 }], s_now);

        Assert.Contains("celeriac_task_runtime_seconds_bucket{name=\"tasks.say \\\"hi\\\"\",le=\"0.005\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("celeriac_task_runtime_seconds_bucket{name=\"tasks.say \\\"hi\\\"\",le=\"300\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("celeriac_task_runtime_seconds_bucket{name=\"tasks.say \\\"hi\\\"\",le=\"+Inf\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("celeriac_task_records{state=\"SUCCESS\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("celeriac_task_records{state=\"PENDING\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("celeriac_worker_up{worker=\"w1@h\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE celeriac_task_runtime_seconds histogram\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Observe_NotATaskEvent_ChangesNothing()
    {
        var metrics = new TaskMetrics(TimeSpan.FromMinutes(10));

        Assert.Null(metrics.Observe(Event("""{"type": "worker-heartbeat", "hostname": "w1@h"}"""), s_now));
        Assert.Empty(metrics.Snapshot().Counts);
    }

    private static JsonElement Event(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
