using System.Text.Json;
using Celeriac.Dashboard.Live;

namespace Celeriac.Dashboard.Workers;

/// <summary>
/// The workers as the event stream tells of them: <c>worker-online</c>, <c>worker-heartbeat</c> and <c>worker-offline</c>
/// folded into one <see cref="WorkerRecord"/> each, started from the worker table so workers seen before a restart
/// are still listed. Thread-safe.
/// </summary>
internal sealed class WorkerBoard
{
    // An unchanged heartbeat is kept this often; a change (online, offline, active, processed) at once.
    private static readonly TimeSpan s_saveInterval = TimeSpan.FromSeconds(15);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _workers = new(StringComparer.Ordinal);

    /// <summary>Adds what the worker table kept; a worker already heard from since the start keeps what it said.</summary>
    public void Load(IEnumerable<WorkerRecord> workers, DateTimeOffset now)
    {
        lock (_lock)
        {
            foreach (var worker in workers)
            {
                if (!_workers.TryGetValue(worker.Hostname, out var live))
                {
                    _workers[worker.Hostname] = new Entry(worker, now);
                }
                else if (worker.FirstSeen < live.Worker.FirstSeen)
                {
                    _workers[worker.Hostname] = live with { Worker = live.Worker with { FirstSeen = worker.FirstSeen } };
                }
            }
        }
    }

    /// <summary>
    /// Applies one <c>worker-*</c> event received at <paramref name="now"/>. Returns the worker's new record when it is
    /// worth keeping in the worker table (new, online or offline, other counts, or not kept for a while), else null.
    /// </summary>
    public WorkerRecord? Apply(JsonElement @event, DateTimeOffset now)
    {
        if (!EventFields.TryGetString(@event, "type", out var type) || !type.StartsWith("worker-", StringComparison.Ordinal)
            || !EventFields.TryGetString(@event, "hostname", out var hostname))
        {
            return null;
        }

        lock (_lock)
        {
            var known = _workers.TryGetValue(hostname, out var entry);
            var before = known ? entry!.Worker : new WorkerRecord { Hostname = hostname, FirstSeen = now };
            var wasOnline = known && before.IsOnline(now);
            var after = type == "worker-offline"
                ? before with { OfflineAt = now, LastSeen = now, Active = 0 }
                : Heartbeat(before, @event, now);
            var save = !known || wasOnline != after.IsOnline(now) || after.Active != before.Active || after.Processed != before.Processed
                || now - entry!.SavedAt >= s_saveInterval;
            _workers[hostname] = new Entry(after, save ? now : entry!.SavedAt);
            return save ? after : null;
        }
    }

    /// <summary>Whether the worker was heard from (now or before a restart), and the software its heartbeats named (null when none did).</summary>
    public bool TryGetSoftware(string hostname, out string? software)
    {
        lock (_lock)
        {
            var known = _workers.TryGetValue(hostname, out var entry);
            software = entry?.Worker.Software;
            return known;
        }
    }

    /// <summary>Every worker, online ones first, then by name.</summary>
    public IReadOnlyList<WorkerRecord> Snapshot(DateTimeOffset now)
    {
        lock (_lock)
        {
            return _workers.Values.Select(e => e.Worker)
                .OrderByDescending(w => w.IsOnline(now))
                .ThenBy(w => w.Hostname, StringComparer.Ordinal)
                .ToArray();
        }
    }

    private static WorkerRecord Heartbeat(WorkerRecord worker, JsonElement @event, DateTimeOffset now)
    {
        // A wakeup heartbeat (the 'heartbeat' control command) carries only freq and the software fields: keep the rest.
        var updated = worker with { LastSeen = now, OfflineAt = null };
        if (EventFields.TryGetDouble(@event, "freq", out var freq) && freq > 0)
        {
            updated = updated with { Frequency = freq };
        }

        if (EventFields.TryGetDouble(@event, "active", out var active))
        {
            updated = updated with { Active = (int)active };
        }

        if (EventFields.TryGetDouble(@event, "processed", out var processed))
        {
            updated = updated with { Processed = (long)processed };
        }

        if (EventFields.TryGetString(@event, "sw_ident", out var software))
        {
            updated = updated with { Software = software };
        }

        if (EventFields.TryGetString(@event, "sw_ver", out var version))
        {
            updated = updated with { Version = version };
        }

        if (EventFields.TryGetString(@event, "sw_sys", out var system))
        {
            updated = updated with { System = system };
        }

        if (@event.TryGetProperty("loadavg", out var load) && load.ValueKind == JsonValueKind.Array)
        {
            updated = updated with
            {
                LoadAverage = load.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Number).Select(x => x.GetDouble()).ToArray(),
            };
        }

        return updated;
    }

    private sealed record Entry(WorkerRecord Worker, DateTimeOffset SavedAt);
}
