using Celeriac.Core.Events;

namespace Celeriac.Core.Tests.Events;

public sealed class LamportClockTests
{
    [Fact]
    public void Forward_FromNew_CountsFromOne()
    {
        var clock = new LamportClock();

        Assert.Equal([1, 2, 3], new[] { clock.Forward(), clock.Forward(), clock.Forward() });
        Assert.Equal(3, clock.Value);
    }

    [Theory]
    [InlineData(5, 10, 11)]
    [InlineData(5, 3, 6)]
    [InlineData(5, 5, 6)]
    public void Adjust_OtherClock_MovesPastTheLaterOfTheTwo(int ticks, long other, long expected)
    {
        var clock = new LamportClock();
        for (var i = 0; i < ticks; i++)
        {
            clock.Forward();
        }

        Assert.Equal(expected, clock.Adjust(other));
        Assert.Equal(expected, clock.Value);
    }

    [Fact]
    public async Task Forward_ConcurrentCallers_NeverHandOutAValueTwice()
    {
        var clock = new LamportClock();

        var values = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            Enumerable.Range(0, 1000).Select(i => i % 10 == 0 ? clock.Adjust(clock.Value) : clock.Forward()).ToArray())));

        var all = values.SelectMany(v => v).ToArray();
        Assert.Equal(all.Length, all.Distinct().Count());
        Assert.Equal(8000, clock.Value);
    }
}
