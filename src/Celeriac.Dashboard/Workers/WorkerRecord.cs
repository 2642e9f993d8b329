namespace Celeriac.Dashboard.Workers;

/// <summary>What the dashboard knows about one worker, from its <c>worker-*</c> events.</summary>
public sealed record WorkerRecord
{
    /// <summary>The node name, e.g. <c>celeriac@host</c>.</summary>
    public required string Hostname { get; init; }

    /// <summary>The worker software (<c>celeriac</c>, <c>py-celery</c>).</summary>
    public string? Software { get; init; }

    /// <summary>Its version.</summary>
    public string? Version { get; init; }

    /// <summary>Its operating system.</summary>
    public string? System { get; init; }

    /// <summary>The heartbeat interval it announced (seconds).</summary>
    public double Frequency { get; init; } = 2.0;

    /// <summary>When the dashboard first heard of it.</summary>
    public DateTimeOffset FirstSeen { get; init; }

    /// <summary>When the dashboard last heard from it (server clock, so clock skew between machines does not matter).</summary>
    public DateTimeOffset LastSeen { get; init; }

    /// <summary>When it said goodbye (<c>worker-offline</c>); null while it runs.</summary>
    public DateTimeOffset? OfflineAt { get; init; }

    /// <summary>Tasks running at its last heartbeat.</summary>
    public int Active { get; init; }

    /// <summary>Tasks it processed since it started, at its last heartbeat.</summary>
    public long Processed { get; init; }

    /// <summary>Its machine's load average (1, 5, 15 minutes).</summary>
    public IReadOnlyList<double> LoadAverage { get; init; } = [];

    /// <summary>Online while it did not say goodbye and was heard from within two heartbeat intervals, as Celery judges it.</summary>
    public bool IsOnline(DateTimeOffset now) => OfflineAt is null && now < LastSeen + TimeSpan.FromSeconds(2 * Math.Max(Frequency, 1));
}
