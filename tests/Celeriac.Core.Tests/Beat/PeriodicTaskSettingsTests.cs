using Celeriac.Core.Beat;
using Celeriac.Core.Tests.GoldenWire;

namespace Celeriac.Core.Tests.Beat;

/// <summary>Schedule entries from configuration, and what a malformed one says.</summary>
public sealed class PeriodicTaskSettingsTests
{
    [Fact]
    public void ToPeriodicTask_IntervalWithArguments_IsTheEntry()
    {
        var settings = new PeriodicTaskSettings { Task = "tasks.add", Every = TimeSpan.FromSeconds(10), Args = "[2, 3]", Kwargs = """{"k": 1}""", Queue = "q" };

        var task = settings.ToPeriodicTask("add");

        Assert.Equal(("add", "tasks.add", "q"), (task.Name, task.Task, task.Queue));
        AssertJson.Equal("[2, 3]", task.Args);
        AssertJson.Equal("""{"k": 1}""", task.Kwargs);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(10), task.Schedule.NextAfter(DateTimeOffset.UnixEpoch));
    }

    [Theory]
    [InlineData(null, 10, null, null, "names no Task")]
    [InlineData("tasks.add", null, null, null, "needs exactly one of Every and Cron")]
    [InlineData("tasks.add", 10, "* * * * *", null, "needs exactly one of Every and Cron")]
    [InlineData("tasks.add", null, "61 * * * *", null, "invalid schedule")]
    [InlineData("tasks.add", null, "* * * * *", "Mars/Olympus", "invalid schedule")]
    [InlineData("tasks.add", 10, null, "{\"a\": 1}", "Args must be a JSON array")]
    [InlineData("tasks.add", 10, null, "[1,", "Args is not valid JSON")]
    public void ToPeriodicTask_Malformed_NamesTheEntryAndTheProblem(string? task, int? every, string? cron, string? zoneOrArgs, string expected)
    {
        var zone = zoneOrArgs?.Contains('/', StringComparison.Ordinal) == true && cron is not null ? zoneOrArgs : null;
        var settings = new PeriodicTaskSettings
        {
            Task = task,
            Every = every is { } e ? TimeSpan.FromSeconds(e) : null,
            Cron = cron,
            TimeZone = zone,
            Args = zone is null ? zoneOrArgs : null,
        };

        var error = Assert.Throws<FormatException>(() => settings.ToPeriodicTask("entry-1"));

        Assert.Contains("'entry-1'", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
