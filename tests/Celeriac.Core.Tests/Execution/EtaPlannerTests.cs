using Celeriac.Core.Execution;

namespace Celeriac.Core.Tests.Execution;

public sealed class EtaPlannerTests
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null, 600, "RunNow")]
    [InlineData(-5.0, 600, "RunNow")]
    [InlineData(0.0, 600, "RunNow")]
    [InlineData(0.5, 600, "Hold")]
    [InlineData(600.0, 600, "Hold")]
    [InlineData(600.001, 600, "Defer")]
    [InlineData(2400.0, 600, "Defer")]
    [InlineData(0.001, 0, "Defer")]
    [InlineData(0.0, 0, "RunNow")]
    public void Plan_EtaRelativeToNowAndHoldLimit_RunsHoldsOrDefers(double? etaSeconds, int holdLimitSeconds, string expected)
    {
        DateTimeOffset? eta = etaSeconds is { } seconds ? s_now.AddSeconds(seconds) : null;

        Assert.Equal(Enum.Parse<EtaPlan>(expected), EtaPlanner.Plan(eta, s_now, TimeSpan.FromSeconds(holdLimitSeconds)));
    }
}
