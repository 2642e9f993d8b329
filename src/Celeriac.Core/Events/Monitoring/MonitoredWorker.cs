using System.Text.Json;

namespace Celeriac.Core.Events.Monitoring;

/// <summary>What a monitor knows about one worker from its events.</summary>
public sealed class MonitoredWorker
{
    internal MonitoredWorker(string hostname) => Hostname = hostname;

    /// <summary>The node name.</summary>
    public string Hostname { get; }

    /// <summary>The heartbeat interval the worker announced (seconds).</summary>
    public double Frequency { get; private set; } = 2.0;

    /// <summary>The time of the last heartbeat (Unix seconds); null after <c>worker-offline</c>.</summary>
    public double? LastHeartbeat { get; private set; }

    /// <summary>Tasks running at the last heartbeat.</summary>
    public int Active { get; private set; }

    /// <summary>Tasks processed at the last heartbeat.</summary>
    public long Processed { get; private set; }

    /// <summary>The worker software (<c>celeriac</c>, <c>py-celery</c>).</summary>
    public string? Software { get; private set; }

    /// <summary>Alive while the last heartbeat is younger than two intervals, as Celery's monitors judge it.</summary>
    public bool IsAlive(double nowUnixSeconds) => LastHeartbeat is { } last && nowUnixSeconds < last + (2 * Frequency);

    internal void Apply(string type, JsonElement @event, double timestamp)
    {
        if (type == "worker-offline")
        {
            LastHeartbeat = null;
            return;
        }

        LastHeartbeat = timestamp;
        if (@event.TryGetProperty("freq", out var freq) && freq.ValueKind == JsonValueKind.Number && freq.GetDouble() > 0)
        {
            Frequency = freq.GetDouble();
        }

        if (@event.TryGetProperty("active", out var active) && active.ValueKind == JsonValueKind.Number)
        {
            Active = active.GetInt32();
        }

        if (@event.TryGetProperty("processed", out var processed) && processed.ValueKind == JsonValueKind.Number)
        {
            Processed = processed.GetInt64();
        }

        if (@event.TryGetProperty("sw_ident", out var software) && software.ValueKind == JsonValueKind.String)
        {
            Software = software.GetString();
        }
    }
}
