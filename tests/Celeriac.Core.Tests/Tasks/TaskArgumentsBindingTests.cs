using Celeriac.Core.Tasks;
using Celeriac.Core.Tests.GoldenWire;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Core.Tests.Tasks;

/// <summary>A <see cref="TaskArguments"/> parameter takes what no other parameter took, as Python's <c>*args, **kwargs</c>.</summary>
public sealed class TaskArgumentsBindingTests : IDisposable
{
    private readonly ServiceProvider _services = TaskHost.Build(b => b
        .AddTask("tasks.echo", (int x, TaskArguments rest) => new { x, args = rest.Positional, kwargs = rest.Keyword }));

    public void Dispose() => _services.Dispose();

    [Theory]
    [InlineData("[1]", "{}", """{"x": 1, "args": [], "kwargs": {}}""")]
    [InlineData("[1, 2, \"three\"]", "{}", """{"x": 1, "args": [2, "three"], "kwargs": {}}""")]
    [InlineData("[]", """{"x": 1, "k": [true]}""", """{"x": 1, "args": [], "kwargs": {"k": [true]}}""")]
    [InlineData("[1, 2]", """{"k": null}""", """{"x": 1, "args": [2], "kwargs": {"k": null}}""")]
    public async Task InvokeAsync_ExtraArguments_GoToTheRestParameter(string args, string kwargs, string expected)
    {
        AssertJson.Equal(expected, await _services.InvokeAsync("tasks.echo", args, kwargs));
    }

    [Theory]
    [InlineData("[]", "{}", "echo() missing 1 required positional argument: 'x'")]
    [InlineData("[1]", """{"x": 2}""", "echo() got multiple values for argument 'x'")]
    public async Task InvokeAsync_NamedParametersStillBindStrictly(string args, string kwargs, string expected)
    {
        var error = await Assert.ThrowsAsync<TaskArgumentException>(() => _services.InvokeAsync("tasks.echo", args, kwargs));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void Parameters_TaskArguments_IsTheRest()
    {
        Assert.Equal([TaskParameterSource.Argument, TaskParameterSource.Rest], _services.Definition("tasks.echo").Parameters.Select(p => p.Source));
    }
}
