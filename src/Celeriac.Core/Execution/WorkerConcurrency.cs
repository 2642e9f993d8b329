using Microsoft.Extensions.Options;

namespace Celeriac.Core.Execution;

/// <summary>
/// How many tasks the worker runs at once: <see cref="WorkerOptions.Concurrency"/> at start, changed at runtime by a
/// host that supports Celery's <c>pool_grow</c> and <c>pool_shrink</c>. Slots are handed out in the order tasks joined
/// the line; a shrink never stops a running task, it takes effect as tasks finish.
/// </summary>
public sealed class WorkerConcurrency
{
    /// <summary>Creates the slots <see cref="WorkerOptions.Concurrency"/> asks for.</summary>
    public WorkerConcurrency(IOptions<WorkerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Slots = new SlotQueue(options.Value.Concurrency);
    }

    /// <summary>How many tasks may run at once now.</summary>
    public int Limit => Slots.Capacity;

    internal SlotQueue Slots { get; }

    /// <summary>Adds <paramref name="n"/> slots; tasks waiting for one start at once.</summary>
    public void Grow(int n) => Slots.Grow(n);

    /// <summary>Removes <paramref name="n"/> slots, as running tasks finish.</summary>
    /// <exception cref="InvalidOperationException">Fewer than one slot would remain.</exception>
    public void Shrink(int n) => Slots.Shrink(n);
}
