using System.Text.Json;
using Celeriac.Dashboard.Live;

namespace Celeriac.Dashboard.Metrics;

/// <summary>
/// Counters and runtime histograms per task name, and the throughput series, from the task events the dashboard
/// receives; <see cref="Export"/> and <see cref="Import"/> carry them across a restart of the server (see
/// <see cref="MetricsPersistence"/>). Memory is bounded: names seen, a fixed ring of
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

    private long _version;

    public TaskMetrics(TimeSpan window) => _throughput = new ThroughputSeries(window);

    /// <summary>Changes with every counted event: whether there is anything new to save.</summary>
    public long Version => Interlocked.Read(ref _version);

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

            Interlocked.Increment(ref _version);
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
            return SnapshotLocked();
        }
    }

    /// <summary>Everything counted so far, with the throughput seconds still in the window at <paramref name="now"/>: what a restart keeps.</summary>
    public MetricsState Export(DateTimeOffset now)
    {
        lock (_lock)
        {
            var snapshot = SnapshotLocked();
            return new MetricsState(snapshot.Counts, snapshot.Runtimes, _throughput.Export(now.ToUnixTimeSeconds()));
        }
    }

    /// <summary>Adds what an earlier run counted (loaded before the first event of this run).</summary>
    public void Import(MetricsState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_lock)
        {
            foreach (var count in state.Counts)
            {
                var name = Bounded(count.Name);
                _counts[(name, count.State)] = _counts.GetValueOrDefault((name, count.State)) + count.Count;
            }

            foreach (var runtime in state.Runtimes.Where(r => r.Buckets.Length == RuntimeBuckets.Length))
            {
                var name = Bounded(runtime.Name);
                if (!_runtimes.TryGetValue(name, out var histogram))
                {
                    histogram = new Histogram(new long[RuntimeBuckets.Length]);
                    _runtimes[name] = histogram;
                }

                histogram.Add(runtime);
            }

            foreach (var second in state.Throughput)
            {
                _throughput.Import(second);
            }
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

    private MetricsSnapshot SnapshotLocked() => new(
        _counts.OrderBy(c => c.Key.Name, StringComparer.Ordinal).ThenBy(c => c.Key.State, StringComparer.Ordinal)
            .Select(c => new TaskCount(c.Key.Name, c.Key.State, c.Value)).ToArray(),
        _runtimes.OrderBy(r => r.Key, StringComparer.Ordinal)
            .Select(r => new RuntimeHistogram(r.Key, (long[])r.Value.Buckets.Clone(), r.Value.Sum, r.Value.Count)).ToArray());

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

        public void Add(RuntimeHistogram kept)
        {
            for (var i = 0; i < Buckets.Length; i++)
            {
                Buckets[i] += kept.Buckets[i];
            }

            Sum += kept.Sum;
            Count += kept.Count;
        }
    }
}

/// <summary>What the metrics hold, as kept across a restart.</summary>
internal sealed record MetricsState(IReadOnlyList<TaskCount> Counts, IReadOnlyList<RuntimeHistogram> Runtimes, IReadOnlyList<ThroughputSecond> Throughput);

/// <summary>A copy of the dashboard's counters.</summary>
internal sealed record MetricsSnapshot(IReadOnlyList<TaskCount> Counts, IReadOnlyList<RuntimeHistogram> Runtimes);

/// <summary>How many events of a state were seen for a task name.</summary>
internal sealed record TaskCount(string Name, string State, long Count);

/// <summary>Runtimes of a task name: counts per bound of <see cref="TaskMetrics.RuntimeBuckets"/> (not cumulative), sum and count.</summary>
internal sealed record RuntimeHistogram(string Name, long[] Buckets, double Sum, long Count);
