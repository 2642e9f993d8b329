using System.Text.Json;
using Celeriac.Dashboard.Live;

namespace Celeriac.Dashboard.Metrics;

/// <summary>
/// Counters and runtime histograms per task name, and the throughput series, from the task events the dashboard
/// receives (since the server started, like any Prometheus counter). Memory is bounded: names seen, a fixed ring of
/// seconds, and ids waiting for their outcome (task-succeeded carries no name, so it comes from task-received).
/// </summary>
internal sealed class TaskMetrics
{
    /// <summary>The runtime histogram's upper bounds in seconds (Prometheus' default buckets, stretched to minutes).</summary>
    public static readonly double[] RuntimeBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

    private const int MaxNames = 1_000;
    private const int MaxPendingIds = 100_000;
    private const string OtherName = "other";

    private readonly Lock _lock = new();
    private readonly Dictionary<(string Name, string State), long> _counts = [];
    private readonly Dictionary<string, Histogram> _runtimes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly HashSet<string> _knownNames = new(StringComparer.Ordinal);
    private readonly ThroughputSeries _throughput;

    public TaskMetrics(TimeSpan window) => _throughput = new ThroughputSeries(window);

    /// <summary>Counts one task event received at <paramref name="now"/>. Returns the state it reports, or null for other events.</summary>
    public string? Observe(JsonElement @event, DateTimeOffset now)
    {
        if (!EventFields.TryGetString(@event, "type", out var type) || !EventFields.TryGetString(@event, "uuid", out var id))
        {
            return null;
        }

        var state = StateOf(type);
        if (state is null)
        {
            return null;
        }

        lock (_lock)
        {
            if (EventFields.TryGetString(@event, "name", out var given))
            {
                if (_names.Count >= MaxPendingIds)
                {
                    // Ids whose outcome never came (a worker lost with them): forget them all rather than grow.
                    _names.Clear();
                }

                _names[id] = given;
            }

            var name = Bounded(_names.GetValueOrDefault(id) ?? "unknown");
            _counts[(name, state)] = _counts.GetValueOrDefault((name, state)) + 1;
            var kind = state switch
            {
                "SUCCESS" => TaskOutcomeKind.Succeeded,
                "FAILURE" => TaskOutcomeKind.Failed,
                "RETRY" => TaskOutcomeKind.Retried,
                "REVOKED" => TaskOutcomeKind.Revoked,
                _ => (TaskOutcomeKind?)null,
            };
            if (kind is { } outcome)
            {
                _throughput.Add(outcome, now.ToUnixTimeSeconds());
                if (outcome != TaskOutcomeKind.Retried)
                {
                    _names.Remove(id);
                }
            }

            if (state == "SUCCESS" && EventFields.TryGetDouble(@event, "runtime", out var runtime) && runtime >= 0)
            {
                if (!_runtimes.TryGetValue(name, out var histogram))
                {
                    histogram = new Histogram(new long[RuntimeBuckets.Length]);
                    _runtimes[name] = histogram;
                }

                histogram.Observe(runtime);
            }
        }

        return state;
    }

    /// <summary>The throughput, tasks per second by outcome, in buckets of <paramref name="bucketSeconds"/>.</summary>
    public ThroughputView Throughput(DateTimeOffset now, int bucketSeconds)
    {
        lock (_lock)
        {
            return _throughput.Read(now.ToUnixTimeSeconds(), bucketSeconds);
        }
    }

    /// <summary>A copy of the counters and histograms, for <c>/metrics</c>.</summary>
    public MetricsSnapshot Snapshot()
    {
        lock (_lock)
        {
            return new MetricsSnapshot(
                _counts.OrderBy(c => c.Key.Name, StringComparer.Ordinal).ThenBy(c => c.Key.State, StringComparer.Ordinal)
                    .Select(c => new TaskCount(c.Key.Name, c.Key.State, c.Value)).ToArray(),
                _runtimes.OrderBy(r => r.Key, StringComparer.Ordinal)
                    .Select(r => new RuntimeHistogram(r.Key, (long[])r.Value.Buckets.Clone(), r.Value.Sum, r.Value.Count)).ToArray());
        }
    }

    /// <summary>The task state an event type reports, as <c>celery.events.state</c> maps it; null for non-task events.</summary>
    public static string? StateOf(string type) => type switch
    {
        "task-sent" => "PENDING",
        "task-received" => "RECEIVED",
        "task-started" => "STARTED",
        "task-succeeded" => "SUCCESS",
        "task-failed" => "FAILURE",
        "task-retried" => "RETRY",
        "task-revoked" => "REVOKED",
        "task-rejected" => "REJECTED",
        _ => null,
    };

    // Label values stay few: a client that sends endless distinct names must not grow /metrics without bound.
    private string Bounded(string name)
    {
        if (_knownNames.Contains(name))
        {
            return name;
        }

        if (_knownNames.Count >= MaxNames)
        {
            return OtherName;
        }

        _knownNames.Add(name);
        return name;
    }

    private sealed class Histogram(long[] buckets)
    {
        public long[] Buckets { get; } = buckets;

        public double Sum { get; private set; }

        public long Count { get; private set; }

        // Buckets hold counts per bound (not cumulative); the writer sums them as Prometheus wants.
        public void Observe(double value)
        {
            var index = Array.FindIndex(RuntimeBuckets, bound => value <= bound);
            if (index >= 0)
            {
                Buckets[index]++;
            }

            Sum += value;
            Count++;
        }
    }
}

/// <summary>A copy of the dashboard's counters.</summary>
internal sealed record MetricsSnapshot(IReadOnlyList<TaskCount> Counts, IReadOnlyList<RuntimeHistogram> Runtimes);

/// <summary>How many events of a state were seen for a task name.</summary>
internal sealed record TaskCount(string Name, string State, long Count);

/// <summary>Runtimes of a task name: counts per bound of <see cref="TaskMetrics.RuntimeBuckets"/> (not cumulative), sum and count.</summary>
internal sealed record RuntimeHistogram(string Name, long[] Buckets, double Sum, long Count);
