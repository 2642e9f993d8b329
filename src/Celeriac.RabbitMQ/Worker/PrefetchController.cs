using Celeriac.Core.Execution;
using RabbitMQ.Client;

namespace Celeriac.RabbitMQ.Worker;

/// <summary>
/// Raises the channel's prefetch by one for every task held for its ETA and lowers it when the task
/// starts, as Celery does: otherwise a few far-future tasks would fill the prefetch window and the worker
/// would stop receiving work it could run now.
/// </summary>
internal sealed class PrefetchController(IChannel channel, ushort basePrefetch) : IPrefetchWindow
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private int _held;

    public bool Enabled => basePrefetch > 0;

    public Task WidenAsync() => ChangeAsync(+1);

    public Task NarrowAsync() => ChangeAsync(-1);

    private async Task ChangeAsync(int delta)
    {
        if (!Enabled)
        {
            return;
        }

        await _lock.WaitAsync();
        try
        {
            _held = Math.Max(0, _held + delta);
            if (channel.IsOpen)
            {
                // Global: a per-consumer basic.qos applies only to consumers started after it, so it would not raise anything.
                await channel.BasicQosAsync(0, (ushort)Math.Min(ushort.MaxValue, basePrefetch + _held), global: true);
            }
        }
        finally
        {
            _lock.Release();
        }
    }
}
