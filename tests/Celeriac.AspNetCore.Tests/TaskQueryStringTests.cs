using Celeriac.AspNetCore.Api;
using Celeriac.Core.Records;
using Celeriac.Core.States;

namespace Celeriac.AspNetCore.Tests;

public sealed class TaskQueryStringTests
{
    [Fact]
    public void TryParse_EveryFilter_MakesTheQueryOnTopOfTheDefaults()
    {
        var query = new Dictionary<string, string>
        {
            ["state"] = "success", ["name"] = " tasks.add ", ["worker"] = "w1@host", ["q"] = "42", ["from"] = "2026-12-01T10:00:00Z",
            ["to"] = "2026-12-01T11:00:00+01:00", ["cursor"] = "abc",
        };

        Assert.True(TaskQueryString.TryParse(k => query.GetValueOrDefault(k), new TaskRecordQuery { Limit = 50 }, out var parsed, out var error), error);

        Assert.Equal(new TaskRecordQuery
        {
            State = TaskState.Success, Name = "tasks.add", Worker = "w1@host", Text = "42", Limit = 50, Cursor = "abc",
            From = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero), To = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero),
        }, parsed);
    }

    [Fact]
    public void TryParse_BlankValues_CountAsAbsent()
    {
        var query = new Dictionary<string, string> { ["state"] = " ", ["limit"] = "", ["name"] = "\t" };

        Assert.True(TaskQueryString.TryParse(k => query.GetValueOrDefault(k), new TaskRecordQuery { Limit = 7 }, out var parsed, out _));

        Assert.Equal(new TaskRecordQuery { Limit = 7 }, parsed);
    }

    [Theory]
    [InlineData("state", "NOPE", "'NOPE' is not a state; use PENDING")]
    [InlineData("limit", "501", "'limit' must be a whole number from 1 to 500, not '501'.")]
    [InlineData("to", "soon", "'to' must be an ISO 8601 time, not 'soon'.")]
    public void TryParse_ValueThatMakesNoQuery_FailsNamingIt(string key, string value, string expected)
    {
        Assert.False(TaskQueryString.TryParse(k => k == key ? value : null, new TaskRecordQuery(), out _, out var error));

        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }
}
