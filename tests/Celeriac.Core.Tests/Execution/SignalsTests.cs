using Celeriac.Core.Execution;

namespace Celeriac.Core.Tests.Execution;

public sealed class SignalsTests
{
    [Theory]
    [InlineData(null, 15)]
    [InlineData("", 15)]
    [InlineData("SIGTERM", 15)]
    [InlineData("TERM", 15)]
    [InlineData("sigkill", 9)]
    [InlineData("KILL", 9)]
    [InlineData("9", 9)]
    [InlineData("SIGINT", 2)]
    [InlineData("SIGQUIT", 3)]
    [InlineData("SIGHUP", 1)]
    [InlineData("SIGUSR1", 10)]
    [InlineData("SIGUSR2", 12)]
    [InlineData("SIGWHAT", 15)]
    public void Parse_SignalName_IsItsNumber(string? name, int expected)
    {
        Assert.Equal(expected, Signals.Parse(name));
    }
}
