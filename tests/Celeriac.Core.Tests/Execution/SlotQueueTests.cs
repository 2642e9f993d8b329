using Celeriac.Core.Execution;

namespace Celeriac.Core.Tests.Execution;

public sealed class SlotQueueTests
{
    [Fact]
    public void Enqueue_FreeSlots_GrantsAtOnceThenQueues()
    {
        var queue = new SlotQueue(2);

        var first = queue.Enqueue();
        var second = queue.Enqueue();
        var third = queue.Enqueue();

        Assert.True(first.Granted.IsCompleted);
        Assert.True(second.Granted.IsCompleted);
        Assert.False(third.Granted.IsCompleted);
    }

    [Fact]
    public async Task Release_HeldSlot_GoesToTheEarliestWaiter()
    {
        var queue = new SlotQueue(1);
        var holder = queue.Enqueue();
        var waiters = Enumerable.Range(0, 5).Select(_ => queue.Enqueue()).ToArray();
        var granted = new List<int>();

        for (var i = 0; i < waiters.Length; i++)
        {
            (i == 0 ? holder : waiters[i - 1]).Release();
            await waiters[i].Granted.WaitAsync(TimeSpan.FromSeconds(5));
            granted.Add(i);
            Assert.All(waiters.Skip(i + 1), w => Assert.False(w.Granted.IsCompleted));
        }

        Assert.Equal([0, 1, 2, 3, 4], granted);
    }

    [Fact]
    public async Task Release_WaitingTicket_LeavesTheLineWithoutTakingASlot()
    {
        var queue = new SlotQueue(1);
        var holder = queue.Enqueue();
        var leaving = queue.Enqueue();
        var next = queue.Enqueue();

        leaving.Release();
        holder.Release();

        await next.Granted.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(leaving.Granted.IsCompleted);
    }

    [Fact]
    public void Release_Twice_ReturnsTheSlotOnce()
    {
        var queue = new SlotQueue(1);
        var holder = queue.Enqueue();

        holder.Release();
        holder.Release();

        Assert.True(queue.Enqueue().Granted.IsCompleted);
        Assert.False(queue.Enqueue().Granted.IsCompleted);
    }

    [Fact]
    public async Task Grow_TasksWaiting_GrantsThemInOrder()
    {
        var queue = new SlotQueue(1);
        queue.Enqueue();
        var second = queue.Enqueue();
        var third = queue.Enqueue();
        var fourth = queue.Enqueue();

        queue.Grow(2);

        await Task.WhenAll(second.Granted, third.Granted).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(fourth.Granted.IsCompleted);
        Assert.Equal(3, queue.Capacity);
    }

    [Fact]
    public void Shrink_FreeSlots_TakesThemAtOnce()
    {
        var queue = new SlotQueue(3);

        queue.Shrink(2);

        Assert.Equal(1, queue.Capacity);
        Assert.True(queue.Enqueue().Granted.IsCompleted);
        Assert.False(queue.Enqueue().Granted.IsCompleted);
    }

    [Fact]
    public async Task Shrink_AllSlotsHeld_RetiresThemAsTheyAreReturned()
    {
        var queue = new SlotQueue(2);
        var first = queue.Enqueue();
        var second = queue.Enqueue();
        var waiting = queue.Enqueue();

        queue.Shrink(1);
        first.Release();

        // The returned slot was retired: the waiter still waits while the one remaining slot is held.
        Assert.False(waiting.Granted.IsCompleted);
        second.Release();
        await waiting.Granted.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(queue.Enqueue().Granted.IsCompleted);
    }

    [Fact]
    public void Grow_AfterAShrinkStillOwed_KeepsTheHeldSlot()
    {
        var queue = new SlotQueue(1);
        var holder = queue.Enqueue();
        queue.Grow(1);
        var second = queue.Enqueue();
        queue.Shrink(1);

        queue.Grow(1);
        holder.Release();
        second.Release();

        Assert.Equal(2, queue.Capacity);
        Assert.True(queue.Enqueue().Granted.IsCompleted);
        Assert.True(queue.Enqueue().Granted.IsCompleted);
        Assert.False(queue.Enqueue().Granted.IsCompleted);
    }

    [Fact]
    public void Shrink_BelowOneSlot_ThrowsAndChangesNothing()
    {
        var queue = new SlotQueue(2);

        Assert.Throws<InvalidOperationException>(() => queue.Shrink(2));

        Assert.Equal(2, queue.Capacity);
        Assert.True(queue.Enqueue().Granted.IsCompleted);
        Assert.True(queue.Enqueue().Granted.IsCompleted);
    }
}
