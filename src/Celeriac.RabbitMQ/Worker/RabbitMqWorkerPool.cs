using Celeriac.Core.Control;
using Celeriac.Core.Execution;
using Microsoft.Extensions.Options;

namespace Celeriac.RabbitMQ.Worker;

/// <summary>
/// The standalone worker's pool as <c>pool_grow</c> and <c>pool_shrink</c> resize it: the concurrency slots, and the
/// consumer's prefetch, which follows them (concurrency x <see cref="WorkerOptions.PrefetchMultiplier"/>) as Celery's does.
/// </summary>
internal sealed class RabbitMqWorkerPool(WorkerConcurrency concurrency, RabbitMqTaskQueueConsumer consumer, IOptions<WorkerOptions> options) : IWorkerPool
{
    public int Concurrency => concurrency.Limit;

    public async ValueTask GrowAsync(int n, CancellationToken cancellationToken)
    {
        concurrency.Grow(n);
        await consumer.SetPrefetchCountAsync(Prefetch, cancellationToken);
    }

    public async ValueTask ShrinkAsync(int n, CancellationToken cancellationToken)
    {
        concurrency.Shrink(n);
        await consumer.SetPrefetchCountAsync(Prefetch, cancellationToken);
    }

    private ushort Prefetch => (ushort)Math.Min(ushort.MaxValue, (long)concurrency.Limit * options.Value.PrefetchMultiplier);
}
