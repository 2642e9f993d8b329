using Celeriac.Core.Execution;
using RabbitMQ.Client;

namespace Celeriac.RabbitMQ.Worker;

/// <summary>
/// Raises the channel's prefetch by one for every task held for its ETA and lowers it when the task
/// starts, as Celery does: otherwise a few far-future tasks would fill the prefetch window and the worker
/// would stop receiving work it could run now. The base (concurrency x multiplier) follows the pool when
/// <c>pool_grow</c> or <c>pool_shrink</c> resizes it, as Celery's <c>_update_prefetch_count</c> does.
/// </summary>
internal sealed class PrefetchController(IChannel channel, ushort basePrefetch) : IPrefetchWindow
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    // Fixed at start: a worker without a prefetch limit (multiplier 0) stays without one whatever the pool's size.
    private readonly bool _enabled = basePrefetch > 0;
    private ushort _base = basePrefetch;
    private int _held;

    public bool Enabled => _enabled;

    public Task WidenAsync() => ChangeAsync(+1, null);

    public Task NarrowAsync() => ChangeAsync(-1, null);

    /// <summary>Sets the base window (what concurrency x multiplier now is), keeping the tasks held for their ETA on top.</summary>
    public Task RebaseAsync(ushort prefetch) => ChangeAsync(0, Math.Max((ushort)1, prefetch));

    private async Task ChangeAsync(int delta, ushort? newBase)
    {
        if (!Enabled)
        {
            return;
        }

        await _lock.WaitAsync();
        try
        {
            _held = Math.Max(0, _held + delta);
            _base = newBase ?? _base;
            if (channel.IsOpen)
            {
                // Global: a per-consumer basic.qos applies only to consumers started after it, so it would not raise anything.
                await channel.BasicQosAsync(0, (ushort)Math.Min(ushort.MaxValue, _base + _held), global: true);
            }
        }
        finally
        {
            _lock.Release();
        }
    }
}
