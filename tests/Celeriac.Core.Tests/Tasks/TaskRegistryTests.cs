using Celeriac.Core.Tasks;
using Microsoft.Extensions.Options;

namespace Celeriac.Core.Tests.Tasks;

public sealed class TaskRegistryTests
{
    [Fact]
    public void Constructor_SameNameTwice_TheLaterRegistrationWins()
    {
        var options = new TaskRegistryOptions();
        options.Registrations.Add(Registration("tasks.b", (Func<int>)(() => 1)));
        options.Registrations.Add(Registration("tasks.a", (Func<int>)(() => 2)));
        options.Registrations.Add(Registration("tasks.b", (Func<int, int>)(x => x)));

        var registry = new TaskRegistry(Options.Create(options));

        Assert.Equal(["tasks.a", "tasks.b"], registry.Names);
        Assert.True(registry.TryGet("tasks.b", out var b));
        Assert.Single(b.Parameters);
    }

    [Fact]
    public void TryGet_UnknownName_IsFalse()
    {
        var registry = new TaskRegistry(Options.Create(new TaskRegistryOptions()));

        Assert.False(registry.TryGet("tasks.nope", out _));
        Assert.Empty(registry.Names);
    }

    [Fact]
    public void Constructor_WithoutAServiceCheck_TreatsEveryOtherParameterAsAnArgument()
    {
        var options = new TaskRegistryOptions();
        options.Registrations.Add(Registration("tasks.greet", (Func<IGreeter, CancellationToken, string>)((g, _) => g.Greet("x"))));

        var registry = new TaskRegistry(Options.Create(options));

        Assert.True(registry.TryGet("tasks.greet", out var greet));
        Assert.Equal([TaskParameterSource.Argument, TaskParameterSource.CancellationToken], greet.Parameters.Select(p => p.Source));
    }

    private static TaskRegistration Registration(string name, Delegate handler) =>
        new(name, handler.Method, handler.Target, TargetType: null, TaskOptions.Default);
}
