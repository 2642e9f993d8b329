using System.Text.Json;
using Celeriac.Dashboard.Metrics;

namespace Celeriac.Dashboard.Tests.Unit;

public sealed class MetricsStateTests
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Import_ExportOfAnEarlierRun_GoesOnFromItsCountersAndChart()
    {
        var before = new TaskMetrics(TimeSpan.FromMinutes(10));
        before.Observe(Event("""{"type": "task-received", "uuid": "a", "name": "tasks.add"}"""), s_now.AddSeconds(-30));
        before.Observe(Event("""{"type": "task-succeeded", "uuid": "a", "runtime": 0.3}"""), s_now.AddSeconds(-30));
        before.Observe(Event("""{"type": "task-received", "uuid": "b", "name": "tasks.add"}"""), s_now.AddSeconds(-20));
        before.Observe(Event("""{"type": "task-failed", "uuid": "b"}"""), s_now.AddSeconds(-20));
        // Kept as JSON, as the metrics table keeps it.
        var kept = JsonSerializer.Deserialize<MetricsState>(JsonSerializer.Serialize(before.Export(s_now), new JsonSerializerOptions(JsonSerializerDefaults.Web)),
            new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

        var after = new TaskMetrics(TimeSpan.FromMinutes(10));
        after.Import(kept);
        after.Observe(Event("""{"type": "task-received", "uuid": "c", "name": "tasks.add"}"""), s_now);
        after.Observe(Event("""{"type": "task-succeeded", "uuid": "c", "runtime": 0.3}"""), s_now);

        var snapshot = after.Snapshot();
        Assert.Contains(new TaskCount("tasks.add", "SUCCESS", 2), snapshot.Counts);
        Assert.Contains(new TaskCount("tasks.add", "FAILURE", 1), snapshot.Counts);
        Assert.Contains(new TaskCount("tasks.add", "RECEIVED", 3), snapshot.Counts);
        Assert.Equal(2, Assert.Single(snapshot.Runtimes).Count);
        var chart = after.Throughput(s_now, 5);
        Assert.Equal(3.0 / 5, chart.Succeeded.Sum() + chart.Failed.Sum(), 6);
    }

    [Fact]
    public void Export_SecondsOutsideTheWindow_AreNotKept()
    {
        var metrics = new TaskMetrics(TimeSpan.FromMinutes(1));
        metrics.Observe(Event("""{"type": "task-succeeded", "uuid": "a"}"""), s_now.AddMinutes(-5));
        metrics.Observe(Event("""{"type": "task-succeeded", "uuid": "b"}"""), s_now.AddSeconds(-5));

        var kept = metrics.Export(s_now);

        Assert.Equal(s_now.AddSeconds(-5).ToUnixTimeSeconds(), Assert.Single(kept.Throughput).Second);
    }

    private static JsonElement Event(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
