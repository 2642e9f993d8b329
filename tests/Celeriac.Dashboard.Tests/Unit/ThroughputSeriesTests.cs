using Celeriac.Dashboard.Metrics;

namespace Celeriac.Dashboard.Tests.Unit;

public sealed class ThroughputSeriesTests
{
    [Fact]
    public void Read_OutcomesInTheWindow_AveragedPerBucketOldestFirst()
    {
        var series = new ThroughputSeries(TimeSpan.FromSeconds(60));
        for (var i = 0; i < 10; i++)
        {
            series.Add(TaskOutcomeKind.Succeeded, 1_000);
        }

        series.Add(TaskOutcomeKind.Failed, 1_004);

        var view = series.Read(1_004, bucketSeconds: 5);

        Assert.Equal(12, view.Succeeded.Length);
        Assert.Equal(1_004 - 60 + 1, view.Start);
        Assert.Equal(2.0, view.Succeeded[^1]);
        Assert.Equal(0.2, view.Failed[^1], 6);
        Assert.All(view.Succeeded[..^1], v => Assert.Equal(0, v));
    }

    [Fact]
    public void Read_SecondsOlderThanTheWindow_AreForgottenEvenWhenTheirSlotIsReused()
    {
        var series = new ThroughputSeries(TimeSpan.FromSeconds(60));
        series.Add(TaskOutcomeKind.Revoked, 1_000);
        series.Add(TaskOutcomeKind.Revoked, 1_060);

        var view = series.Read(1_060, bucketSeconds: 1);

        Assert.Equal(1, view.Revoked.Sum());
        Assert.Equal(1, view.Revoked[^1]);
    }
}
