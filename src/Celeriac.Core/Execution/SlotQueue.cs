namespace Celeriac.Core.Execution;

/// <summary>
/// The worker's concurrency slots, handed out strictly in the order tasks joined the line: with concurrency 1,
/// tasks run in the order they were delivered, as with Celery. (<see cref="SemaphoreSlim"/> does not promise
/// an order.)
/// </summary>
internal sealed class SlotQueue
{
    private readonly Lock _lock = new();
    private readonly LinkedList<SlotTicket> _waiting = new();
    private int _free;

    public SlotQueue(int slots) => _free = slots;

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
                    if (_waiting.First is { } first)
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
    private readonly TaskCompletionSource _granted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal SlotTicket(SlotQueue queue) => _queue = queue;

    /// <summary>Completes when this ticket holds a slot.</summary>
    public Task Granted => _granted.Task;

    internal int State { get; set; }

    internal LinkedListNode<SlotTicket>? Node { get; set; }

    /// <summary>Gives the slot back (or leaves the line); later calls do nothing.</summary>
    public void Release() => _queue.Return(this);

    internal void Grant() => _granted.TrySetResult();
}
