namespace Celeriac.Core.Execution;

/// <summary>
/// The worker's concurrency slots, handed out strictly in the order tasks joined the line: with concurrency 1,
/// tasks run in the order they were delivered, as with Celery. (<see cref="SemaphoreSlim"/> does not promise
/// an order.) The number of slots can change while tasks hold them (<see cref="Grow"/>, <see cref="Shrink"/>).
/// </summary>
internal sealed class SlotQueue
{
    private readonly Lock _lock = new();
    private readonly LinkedList<SlotTicket> _waiting = new();
    private int _free;
    // Slots removed by Shrink while held: the next ones returned are retired instead of handed on.
    private int _owed;

    public SlotQueue(int slots)
    {
        _free = slots;
        Capacity = slots;
    }

    /// <summary>How many slots there are (held or free), as last set.</summary>
    public int Capacity { get; private set; }

    /// <summary>Adds <paramref name="n"/> slots; tasks waiting in line get them at once, first come first served.</summary>
    public void Grow(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        List<SlotTicket>? granted = null;
        lock (_lock)
        {
            Capacity += n;
            // A slot still owed to an earlier shrink is simply kept.
            var paid = Math.Min(_owed, n);
            _owed -= paid;
            _free += n - paid;
            while (_free > 0 && _waiting.First is { } first)
            {
                _waiting.RemoveFirst();
                first.Value.State = SlotTicket.Held;
                _free--;
                (granted ??= []).Add(first.Value);
            }
        }

        granted?.ForEach(t => t.Grant());
    }

    /// <summary>
    /// Removes <paramref name="n"/> slots: free ones at once, held ones when their task gives them back (a running task
    /// is never stopped). Throws <see cref="InvalidOperationException"/> when fewer than one slot would remain.
    /// </summary>
    public void Shrink(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        lock (_lock)
        {
            if (Capacity - n < 1)
            {
                throw new InvalidOperationException("Can't shrink pool below one slot");
            }

            Capacity -= n;
            var taken = Math.Min(_free, n);
            _free -= taken;
            _owed += n - taken;
        }
    }

    /// <summary>Joins the line; the ticket's <see cref="SlotTicket.Granted"/> completes when a slot is this task's.</summary>
    public SlotTicket Enqueue()
    {
        var ticket = new SlotTicket(this);
        lock (_lock)
        {
            if (_free > 0 && _waiting.Count == 0)
            {
                _free--;
                ticket.State = SlotTicket.Held;
            }
            else
            {
                ticket.Node = _waiting.AddLast(ticket);
            }
        }

        if (ticket.State == SlotTicket.Held)
        {
            ticket.Grant();
        }

        return ticket;
    }

    /// <summary>Gives a held slot to the next in line, or leaves the line.</summary>
    internal void Return(SlotTicket ticket)
    {
        SlotTicket? next = null;
        lock (_lock)
        {
            switch (ticket.State)
            {
                case SlotTicket.Waiting:
                    _waiting.Remove(ticket.Node!);
                    ticket.State = SlotTicket.Done;
                    return;
                case SlotTicket.Held:
                    ticket.State = SlotTicket.Done;
                    if (_owed > 0)
                    {
                        // Retired: the pool shrank while this slot was held.
                        _owed--;
                    }
                    else if (_waiting.First is { } first)
                    {
                        _waiting.RemoveFirst();
                        next = first.Value;
                        next.State = SlotTicket.Held;
                    }
                    else
                    {
                        _free++;
                    }

                    break;
                default:
                    return;
            }
        }

        next?.Grant();
    }
}

/// <summary>A place in the <see cref="SlotQueue"/>: waiting, then holding a slot, then done. Released exactly once.</summary>
internal sealed class SlotTicket
{
    internal const int Waiting = 0;
    internal const int Held = 1;
    internal const int Done = 2;

    private readonly SlotQueue _queue;
    // Continues the granted task on the thread that gave the slot back (never under the queue's lock). That is mostly the
    // thread the previous task's code just returned on, and the granted task only checks its revocation and starts its
    // own code on the thread pool before that thread goes on. Run asynchronously, it cost every task one more work item.
    private readonly TaskCompletionSource _granted = new();

    internal SlotTicket(SlotQueue queue) => _queue = queue;

    /// <summary>Completes when this ticket holds a slot.</summary>
    public Task Granted => _granted.Task;

    internal int State { get; set; }

    internal LinkedListNode<SlotTicket>? Node { get; set; }

    /// <summary>Gives the slot back (or leaves the line); later calls do nothing.</summary>
    public void Release() => _queue.Return(this);

    internal void Grant() => _granted.TrySetResult();
}
