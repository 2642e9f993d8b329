namespace Celeriac.Core.Execution;

/// <summary>Settings of a worker. Defaults mirror Celery's where Celery has one.</summary>
public sealed class WorkerOptions
{
    /// <summary>The node name monitors and remote control address this worker by (Celery's <c>-n</c>).</summary>
    public string Hostname { get; set; } = $"celeriac@{Environment.MachineName}";

    /// <summary>How many tasks run at once (Celery's <c>--concurrency</c>; default: the CPU count).</summary>
    public int Concurrency { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Messages fetched ahead per concurrency slot (Celery's <c>worker_prefetch_multiplier</c>). The broker
    /// prefetch is <see cref="Concurrency"/> x this; 0 means unlimited.
    /// </summary>
    public int PrefetchMultiplier { get; set; } = 4;

    /// <summary>The queues to consume (Celery's <c>-Q</c>).</summary>
    public IList<string> Queues { get; set; } = ["celery"];

    /// <summary>
    /// How long a warm shutdown (SIGTERM, Ctrl-C) lets running tasks finish. Tasks still running after it are
    /// cancelled and their messages returned to the queue, so another worker runs them. Keep it below the
    /// host's own shutdown timeout.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long a stopped task (terminated, past its hard time limit) may go on running before the worker stops waiting
    /// for it: code that ignores its cancellation token cannot be stopped in-process, so after this grace the worker
    /// abandons it (a warning says so) and frees its concurrency slot, while its thread runs on. The outcome is reported
    /// at once either way; only the slot waits. Default 10 seconds; more than zero and at most one hour.
    /// </summary>
    public TimeSpan AbandonGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A task due at most this far ahead is held by the worker (unacknowledged, the prefetch widened by one) until its
    /// ETA; one due later is deferred through the broker, acknowledged, and comes back when due, so nothing waits in
    /// memory past RabbitMQ's consumer timeout (30 minutes by default) and a restart loses no countdown. Default 10
    /// minutes; zero defers every future ETA (the Azure Functions app: an invocation never waits).
    /// </summary>
    public TimeSpan EtaHoldLimit { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Publish results with delivery mode 2 (Celery's <c>result_persistent</c>) so a broker restart keeps them.</summary>
    public bool PersistentResults { get; set; } = true;

    /// <summary>Publish a STARTED result when a task starts (Celery's <c>task_track_started</c>).</summary>
    public bool TrackStarted { get; set; }

    /// <summary>
    /// Where the worker keeps state that must survive a restart (the revoked task ids). Default:
    /// <c>$XDG_STATE_HOME/celeriac</c> or <c>~/.local/state/celeriac</c>.
    /// </summary>
    public string? StateDirectory { get; set; }

    /// <summary>
    /// How much of a failed task's .NET stack trace its record and result carry: <see cref="TracebackDetail.Full"/>,
    /// <see cref="TracebackDetail.NoSourcePaths"/> (the default: every frame, no source file paths of the build machine)
    /// or <see cref="TracebackDetail.None"/>.
    /// </summary>
    public TracebackDetail TracebackDetail { get; set; } = TracebackDetail.NoSourcePaths;

    /// <summary>
    /// A task's message is run at most this many times without finishing: delivered once more, it is parked in
    /// <c>{queue}_error</c> and the task fails (<c>WorkerLostError</c>), since the worker process most likely died running
    /// it each time. Redeliveries are counted on disk in <see cref="StateDirectory"/> (classic queues keep no count); a
    /// message given back by a shutdown starts its count again. Default 5; 0 never parks.
    /// </summary>
    public int MaxDeliveries { get; set; } = 5;

    /// <summary>The broker prefetch count: concurrency x multiplier, 0 for unlimited.</summary>
    public ushort PrefetchCount => (ushort)Math.Min(ushort.MaxValue, (long)Concurrency * PrefetchMultiplier);

    /// <summary>The state directory, with the default applied.</summary>
    public string ResolveStateDirectory()
    {
        if (!string.IsNullOrEmpty(StateDirectory))
        {
            return StateDirectory;
        }

        var state = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (string.IsNullOrEmpty(state))
        {
            state = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        }

        return Path.Combine(state, "celeriac");
    }
}
