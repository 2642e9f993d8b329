using Celeriac.Core.Tasks;
using Celeriac.Core.Tests.GoldenWire;
using Microsoft.Extensions.DependencyInjection;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Tasks;

/// <summary>Arguments bind as Python binds a call, and misfits fail with Python's TypeError wording.</summary>
public sealed class TaskDefinitionBindingTests : IDisposable
{
    private readonly ServiceProvider _services = TaskHost.Build(b => b
        .AddTask("tasks.add", (int x, int y) => x + y)
        .AddTask("tasks.vec", (int a, int b, int c) => a + b + c)
        .AddTask("tasks.scale", (int x, int factor = 2) => x * factor)
        .AddTask("tasks.one", (int x) => x)
        .AddTask("tasks.maybe", (int x = 1) => x)
        .AddTask("tasks.none", () => 0)
        .AddTask("tasks.greet", (string firstName, string lastName) => $"{firstName} {lastName}"));

    public void Dispose() => _services.Dispose();

    [Theory]
    [InlineData("[2, 3]", "{}")]
    [InlineData("[]", """{"x": 2, "y": 3}""")]
    [InlineData("[]", """{"y": 3, "x": 2}""")]
    [InlineData("[2]", """{"y": 3}""")]
    public async Task InvokeAsync_PositionalAndKeywordArgs_BindLikePython(string args, string kwargs)
    {
        var result = await _services.InvokeAsync("tasks.add", args, kwargs);

        AssertJson.Equal("5", result);
    }

    [Theory]
    [InlineData("""{"first_name": "Ada", "last_name": "Lovelace"}""")]
    [InlineData("""{"firstName": "Ada", "lastName": "Lovelace"}""")]
    public async Task InvokeAsync_SnakeCaseKeywords_BindCamelCaseParameters(string kwargs)
    {
        var result = await _services.InvokeAsync("tasks.greet", "[]", kwargs);

        Assert.Equal("Ada Lovelace", result.GetString());
    }

    [Theory]
    [InlineData("[5]", "{}", "10")]
    [InlineData("[5, 3]", "{}", "15")]
    [InlineData("[5]", """{"factor": 4}""", "20")]
    public async Task InvokeAsync_OptionalParameter_UsesItsDefaultWhenNotGiven(string args, string kwargs, string expected)
    {
        var result = await _services.InvokeAsync("tasks.scale", args, kwargs);

        AssertJson.Equal(expected, result);
    }

    [Theory]
    [InlineData("tasks.add", "[1]", "{}", "add() missing 1 required positional argument: 'y'")]
    [InlineData("tasks.add", "[]", """{"y": 1}""", "add() missing 1 required positional argument: 'x'")]
    [InlineData("tasks.add", "[]", "{}", "add() missing 2 required positional arguments: 'x' and 'y'")]
    [InlineData("tasks.vec", "[]", "{}", "vec() missing 3 required positional arguments: 'a', 'b', and 'c'")]
    [InlineData("tasks.add", "[1, 2, 3]", "{}", "add() takes 2 positional arguments but 3 were given")]
    [InlineData("tasks.one", "[1, 2]", "{}", "one() takes 1 positional argument but 2 were given")]
    [InlineData("tasks.none", "[1]", "{}", "none() takes 0 positional arguments but 1 was given")]
    [InlineData("tasks.scale", "[1, 2, 3]", "{}", "scale() takes from 1 to 2 positional arguments but 3 were given")]
    [InlineData("tasks.maybe", "[1, 2]", "{}", "maybe() takes from 0 to 1 positional arguments but 2 were given")]
    [InlineData("tasks.add", "[1, 2]", """{"z": 3}""", "add() got an unexpected keyword argument 'z'")]
    [InlineData("tasks.add", "[1]", """{"x": 2}""", "add() got multiple values for argument 'x'")]
    [InlineData("tasks.add", """["a", 2]""", "{}", "add() argument 'x' must be an integer, not str 'a'")]
    [InlineData("tasks.add", "[null, 2]", "{}", "add() argument 'x' must be an integer, not None")]
    [InlineData("tasks.add", "[1.5, 2]", "{}", "add() argument 'x' must be an integer, not number 1.5")]
    [InlineData("tasks.greet", "[[1], \"b\"]", "{}", "greet() argument 'firstName' must be a string, not list")]
    public async Task InvokeAsync_ArgumentsThatDoNotFit_ThrowPythonsTypeErrorWording(string task, string args, string kwargs, string expected)
    {
        var error = await Assert.ThrowsAsync<TaskArgumentException>(() => _services.InvokeAsync(task, args, kwargs));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void Validate_ArgumentsThatFit_ReturnsNull()
    {
        Assert.Null(_services.Definition("tasks.add").Validate(Json("[1]"), Json("""{"y": 2}""")));
    }

    [Fact]
    public void Validate_ArgumentsThatDoNotFit_ReturnsTheErrorWithoutRunning()
    {
        var calls = 0;
        using var services = TaskHost.Build(b => b.AddTask("tasks.count", (int x) => ++calls));

        var error = services.Definition("tasks.count").Validate(Json("[]"), Json("{}"));

        Assert.Equal("count() missing 1 required positional argument: 'x'", error?.Message);
        Assert.Null(services.Definition("tasks.count").Validate(Json("[1]"), Json("{}")));
        Assert.Equal(0, calls);
    }

    [Fact]
    public void Parameters_DescribeWhereEachValueComesFrom()
    {
        using var services = TaskHost.Build(
            b => b.AddTask("tasks.mixed", (int x, CancellationToken token, TaskContext context, IGreeter greeter, string label = "n") => x),
            s => s.AddSingleton<IGreeter, Greeter>());

        var parameters = services.Definition("tasks.mixed").Parameters;

        Assert.Equal(
            [
                new TaskParameter("x", typeof(int), TaskParameterSource.Argument, false, null),
                new TaskParameter("token", typeof(CancellationToken), TaskParameterSource.CancellationToken, false, null),
                new TaskParameter("context", typeof(TaskContext), TaskParameterSource.Context, false, null),
                new TaskParameter("greeter", typeof(IGreeter), TaskParameterSource.Service, false, null),
                new TaskParameter("label", typeof(string), TaskParameterSource.Argument, true, "n"),
            ],
            parameters);
    }
}
