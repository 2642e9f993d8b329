using System.Globalization;
using Celeriac.Core.Execution;

namespace Celeriac.Core.Tests.Execution;

public sealed class WorkerOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        var result = new WorkerOptionsValidator().Validate(null, new WorkerOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("00:00:00.001")]
    [InlineData("00:00:10")]
    [InlineData("01:00:00")]
    public void Validate_AbandonGraceWithinBounds_Succeeds(string grace)
    {
        var result = new WorkerOptionsValidator().Validate(null, new WorkerOptions { AbandonGrace = TimeSpan.Parse(grace, CultureInfo.InvariantCulture) });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("-00:00:01")]
    [InlineData("01:00:00.001")]
    [InlineData("1.00:00:00")]
    public void Validate_AbandonGraceZeroNegativeOrOverAnHour_FailsNamingKeyAndValue(string grace)
    {
        var value = TimeSpan.Parse(grace, CultureInfo.InvariantCulture);

        var result = new WorkerOptionsValidator().Validate(null, new WorkerOptions { AbandonGrace = value });

        Assert.True(result.Failed, $"an abandon grace of {value} should be rejected");
        Assert.Equal(
            [$"WorkerOptions.AbandonGrace (Celeriac:Worker:AbandonGrace) must be more than 0 and at most 01:00:00 (was {value})."],
            result.Failures);
    }
}
