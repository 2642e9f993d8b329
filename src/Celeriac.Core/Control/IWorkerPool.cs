namespace Celeriac.Core.Control;

/// <summary>
/// The worker's concurrency as remote control changes it (Celery's <c>pool_grow</c> and <c>pool_shrink</c>): the
/// number of tasks that may run at once, and the broker prefetch that follows it (concurrency x multiplier).
/// The transport's queue consumer implements it; without one, both commands answer that this host cannot change its pool.
/// </summary>
public interface IWorkerPool
{
    /// <summary>How many tasks may run at once now.</summary>
    int Concurrency { get; }

    /// <summary>Adds <paramref name="n"/> slots (a waiting task may start at once) and raises the prefetch to match.</summary>
    ValueTask GrowAsync(int n, CancellationToken cancellationToken);

    /// <summary>
    /// Removes <paramref name="n"/> slots and lowers the prefetch to match. Running tasks are not stopped: the pool
    /// shrinks as they finish.
    /// </summary>
    /// <exception cref="InvalidOperationException">The pool would drop below one slot.</exception>
    ValueTask ShrinkAsync(int n, CancellationToken cancellationToken);
}
