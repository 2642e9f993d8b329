using Celeriac.Core;
using Celeriac.Core.Execution;
using RabbitMQ.Client;

namespace Celeriac.RabbitMQ.Worker;

/// <summary>
/// The task channel's unacknowledged deliveries: which of them the worker takes in (reserved or running tasks, limited
/// to concurrency x multiplier), how many the broker may send (the channel's prefetch), and the acks and rejects that
/// let them go, sent in batches.
/// </summary>
/// <remarks>
/// <para>
/// The worker itself limits the tasks it has reserved or running to concurrency x multiplier, as Celery's prefetch
/// does, plus one per task held for its ETA (Celery's QoS bump): a delivery beyond that waits here, unreceived (no
/// event, no record, not in <c>inspect reserved</c>), until a place frees. A task whose run has ended but which still
/// waits for its durable outcome, its confirmed result and its ack frees its place, so bookkeeping latency and
/// far-future tasks never stop the worker from taking work it could run now. The channel's prefetch follows: raised by
/// one for each such settling task (up to <see cref="MaxSettling"/>; past that they count again, so a slow disk slows
/// the intake instead of piling up unacknowledged work), and kept two steps (the base prefetch) ahead while tasks settle,
/// so a freed place is usually taken by a delivery already here and no <c>basic.qos</c> round trip is on the task's path.
/// At most about six steps of deliveries wait here unreceived (two ahead, four of slack before it is lowered); with no task
/// settling or running the prefetch is exactly the base.
/// </para>
/// <para>
/// Settlements are sent by one flush at a time; whatever was asked for while a flush was under way goes out in the next
/// one, so under load acks come in batches without waiting on a timer: one <c>basic.ack</c> with <c>multiple</c> for the
/// longest run of settled tags from the oldest unsettled one, single acks for the rest. Every tag this channel delivered
/// is tracked until it is settled, so a multiple ack never covers a delivery that is not done: an ack is asked for only
/// after the outcome is durable and published, and a rejected tag is rejected before any ack covers it.
/// </para>
/// </remarks>
internal sealed class DeliveryWindow : IPrefetchWindow
{
    /// <summary>
    /// At most this many settling tasks widen the window: if bookkeeping falls further behind (a slow disk, a slow broker),
    /// settling tasks count against the prefetch again and the intake slows down instead of piling up unacknowledged work.
    /// </summary>
    internal const int MaxSettling = 512;

    private readonly IChannel _channel;
    // Follows the pool when pool_grow or pool_shrink resizes it (Celery's _update_prefetch_count); unlimited stays unlimited.
    private readonly bool _limitsPrefetch;
    private ushort _basePrefetch;
    private readonly Lock _lock = new();
    // Delivered and not yet settled (no ack or reject sent), in tag order.
    private readonly SortedSet<ulong> _unsettled = [];
    private List<Settle> _requested = [];
    private List<Settle> _sending = [];
    private List<TaskCompletionSource> _prefetchWaiters = [];
    private List<TaskCompletionSource> _prefetchSending = [];
    // Deliveries not taken in yet, in delivery order, and whether a thread is taking some in now.
    private readonly Queue<Action> _waiting = new();
    private bool _admitting;
    // Taken in and neither ended nor settled: reserved or running.
    private int _open;
    private int _held;
    private int _settling;
    private ushort _sentPrefetch;
    private bool _flushing;

    /// <summary>Creates the window of a channel whose prefetch the worker set to <paramref name="basePrefetch"/> (0: unlimited).</summary>
    public DeliveryWindow(IChannel channel, ushort basePrefetch)
    {
        _channel = channel;
        _basePrefetch = basePrefetch;
        _limitsPrefetch = basePrefetch > 0;
        _sentPrefetch = basePrefetch;
    }

    /// <summary>False when the prefetch is unlimited (0): nothing to widen or narrow.</summary>
    public bool LimitsPrefetch => _limitsPrefetch;

    /// <summary>Tracks a delivery; call as it arrives, before anything can settle it.</summary>
    public RabbitMqDeliveryHandle Track(ulong deliveryTag)
    {
        lock (_lock)
        {
            _unsettled.Add(deliveryTag);
        }

        return new RabbitMqDeliveryHandle(this, deliveryTag);
    }

    /// <summary>
    /// Takes a tracked delivery in (<paramref name="receive"/> hands it to the worker) once fewer than the limit are reserved
    /// or running; deliveries are taken in in the order they were admitted.
    /// </summary>
    public void Admit(Action receive)
    {
        lock (_lock)
        {
            _waiting.Enqueue(receive);
        }

        TakeIn();
    }

    /// <inheritdoc />
    public Task WidenAsync() => ChangeHeldAsync(+1);

    /// <summary>Sets the base window (what concurrency x multiplier now is); completes when the channel's prefetch follows.</summary>
    public async Task RebaseAsync(ushort prefetch)
    {
        if (!LimitsPrefetch)
        {
            return;
        }

        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _basePrefetch = Math.Max((ushort)1, prefetch);
            _prefetchWaiters.Add(applied);
        }

        TakeIn();
        RequestFlush();
        await applied.Task;
    }

    /// <inheritdoc />
    public Task NarrowAsync() => ChangeHeldAsync(-1);

    /// <summary>A delivery's run ended: one more may come in while it settles.</summary>
    internal void RunEnded()
    {
        lock (_lock)
        {
            _open--;
            _settling++;
        }

        TakeIn();
        if (LimitsPrefetch)
        {
            RequestFlush();
        }
    }

    /// <summary>Acks the delivery in the next flush; completes when the ack is sent.</summary>
    internal ValueTask AckAsync(ulong deliveryTag, bool ranToEnd) => SettleAsync(new Settle(deliveryTag, Ack: true, Requeue: false, ranToEnd));

    /// <summary>Rejects the delivery in the next flush; completes when the reject is sent.</summary>
    internal ValueTask RejectAsync(ulong deliveryTag, bool requeue, bool ranToEnd) => SettleAsync(new Settle(deliveryTag, Ack: false, requeue, ranToEnd));

    private async Task ChangeHeldAsync(int delta)
    {
        if (!LimitsPrefetch)
        {
            return;
        }

        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _held = Math.Max(0, _held + delta);
            _prefetchWaiters.Add(applied);
        }

        TakeIn();
        RequestFlush();
        await applied.Task;
    }

    private async ValueTask SettleAsync(Settle settle)
    {
        lock (_lock)
        {
            if (settle.RanToEnd)
            {
                _settling--;
            }
            else
            {
                // Settled without running (parked, deferred, discarded, given back): its place frees now.
                _open--;
            }

            _requested.Add(settle);
        }

        TakeIn();
        RequestFlush();
        await settle.Sent.Task;
    }

    private void RequestFlush()
    {
        lock (_lock)
        {
            if (_flushing)
            {
                return;
            }

            _flushing = true;
        }

        _ = FlushLoopAsync();
    }

    // One flush at a time; each sends everything asked for until it began. Never throws: a failure is handed to the callers.
    private async Task FlushLoopAsync()
    {
        // Lets the settlements of a burst (a commit that answered many tasks at once) join this flush.
        await Task.Yield();
        while (true)
        {
            ushort prefetch;
            lock (_lock)
            {
                if (_requested.Count == 0 && _prefetchWaiters.Count == 0 && Prefetch() == _sentPrefetch)
                {
                    _flushing = false;
                    return;
                }

                (_requested, _sending) = (_sending, _requested);
                (_prefetchWaiters, _prefetchSending) = (_prefetchSending, _prefetchWaiters);
                prefetch = Prefetch();
            }

            try
            {
                if (prefetch != _sentPrefetch)
                {
                    // Taken as sent even if it fails, so a closed channel is not asked again and again; the client library
                    // restores the last prefetch it set when it recovers the channel, and the next change corrects it.
                    _sentPrefetch = prefetch;
                    if (_channel.IsOpen)
                    {
                        // Global (per channel), as the worker set it: a per-consumer basic.qos would not change existing consumers.
                        await _channel.BasicQosAsync(0, prefetch, global: true);
                    }
                }

                await SendAsync(_sending);
                Complete(null);
            }
            catch (Exception ex) when (!Fatal.IsFatal(ex))
            {
                // The channel is gone (the broker takes every unacknowledged message back) or refused: the callers hear of it.
                Complete(ex);
            }
        }
    }

    // Hands waiting deliveries to the worker while places are free. One thread at a time, so they go in delivery order and
    // a delivery settled at once (given back while the worker stops) does not recurse into the next; another thread's
    // change while this one runs is seen by its next turn.
    private void TakeIn()
    {
        lock (_lock)
        {
            if (_admitting)
            {
                return;
            }

            _admitting = true;
        }

        try
        {
            while (true)
            {
                Action receive;
                lock (_lock)
                {
                    if (_waiting.Count == 0 || (LimitsPrefetch && _open >= _basePrefetch + _held))
                    {
                        _admitting = false;
                        return;
                    }

                    _open++;
                    receive = _waiting.Dequeue();
                }

                receive();
            }
        }
        catch
        {
            lock (_lock)
            {
                _admitting = false;
            }

            throw;
        }
    }

    // The prefetch the channel should have now (under the lock): the base and the held tasks, plus the settling ones and two
    // steps ahead while any settle or run. Raised when the strict need passes it, lowered when it falls four steps below, and
    // back to the strict need once nothing settles or runs. The slack keeps basic.qos (a round trip the next acks wait
    // behind) off the path of a busy worker, whose settling count swings by a commit's worth of tasks many times a second:
    // with one step and no slack a drain sent about one basic.qos per ten tasks.
    private ushort Prefetch()
    {
        if (!LimitsPrefetch)
        {
            return 0;
        }

        var strict = _basePrefetch + _held + Math.Clamp(_settling, 0, MaxSettling);
        int wanted;
        if (_settling <= 0 && _open <= 0)
        {
            wanted = strict;
        }
        else if (strict > _sentPrefetch || strict + (4 * _basePrefetch) < _sentPrefetch)
        {
            wanted = strict + (2 * _basePrefetch);
        }
        else
        {
            wanted = _sentPrefetch;
        }

        return (ushort)Math.Min(ushort.MaxValue, wanted);
    }

    private async Task SendAsync(List<Settle> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        // Rejects first: once sent, a multiple ack of a later tag can no longer cover them.
        foreach (var reject in batch)
        {
            if (!reject.Ack)
            {
                Forget(reject.Tag);
                await _channel.BasicRejectAsync(reject.Tag, reject.Requeue, CancellationToken.None);
            }
        }

        var (upTo, covered, singles) = Plan(batch);
        if (covered > 1)
        {
            await _channel.BasicAckAsync(upTo, multiple: true, CancellationToken.None);
        }
        else if (covered == 1)
        {
            await _channel.BasicAckAsync(upTo, multiple: false, CancellationToken.None);
        }

        foreach (var tag in singles)
        {
            await _channel.BasicAckAsync(tag, multiple: false, CancellationToken.None);
        }
    }

    // The longest run of acked tags from the oldest unsettled delivery (one multiple ack), and the acks outside it.
    private (ulong UpTo, int Covered, List<ulong> Singles) Plan(List<Settle> batch)
    {
        var acks = new HashSet<ulong>();
        foreach (var settle in batch)
        {
            if (settle.Ack)
            {
                acks.Add(settle.Tag);
            }
        }

        ulong upTo = 0;
        var covered = 0;
        lock (_lock)
        {
            foreach (var tag in _unsettled)
            {
                if (!acks.Remove(tag))
                {
                    break;
                }

                upTo = tag;
                covered++;
            }

            if (covered > 0)
            {
                _unsettled.RemoveWhere(t => t <= upTo);
            }

            foreach (var tag in acks)
            {
                _unsettled.Remove(tag);
            }
        }

        var singles = acks.ToList();
        singles.Sort();
        return (upTo, covered, singles);
    }

    private void Forget(ulong tag)
    {
        lock (_lock)
        {
            _unsettled.Remove(tag);
        }
    }

    private void Complete(Exception? error)
    {
        foreach (var settle in _sending)
        {
            if (error is null)
            {
                settle.Sent.TrySetResult();
            }
            else
            {
                Forget(settle.Tag);
                settle.Sent.TrySetException(error);
            }
        }

        foreach (var waiter in _prefetchSending)
        {
            // A prefetch that could not be changed is the channel's problem, not the held task's: it carries on.
            waiter.TrySetResult();
        }

        _sending.Clear();
        _prefetchSending.Clear();
    }

    /// <summary>One ack or reject asked for, and the caller waiting for it to be sent.</summary>
    /// <remarks>
    /// <see cref="Sent"/> runs its caller's continuation on the flush's own thread: all that is left of a task once its
    /// message is settled is a few lines of bookkeeping, and a thread-pool work item (often a thread woken) for each task
    /// of a batch cost more than the bookkeeping itself. <see cref="Complete"/> runs outside the lock for this reason.
    /// </remarks>
    private sealed record Settle(ulong Tag, bool Ack, bool Requeue, bool RanToEnd)
    {
        public TaskCompletionSource Sent { get; } = new();
    }
}
