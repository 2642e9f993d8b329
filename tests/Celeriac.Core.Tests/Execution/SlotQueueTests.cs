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
}
