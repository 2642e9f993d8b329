using Celeriac.Core.Tasks;
using Celeriac.Core.Tests.GoldenWire;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Core.Tests.Tasks;

public sealed class AddTasksTests
{
    [Fact]
    public void AddTasks_ClassWithAttributedMethods_RegistersEachUnderItsName()
    {
        using var services = TaskHost.Build(b => b.AddTasks<MathTasks>(), s => s.AddSingleton<InstanceCounter>());

        Assert.Equal(["tasks.mul", "tasks.static_add"], services.GetRequiredService<TaskRegistry>().Names);
    }

    [Fact]
    public void AddTasks_AttributeLimits_BecomeTaskOptions()
    {
        using var services = TaskHost.Build(b => b.AddTasks<MathTasks>(), s => s.AddSingleton<InstanceCounter>());

        Assert.Equal(new TaskOptions { TimeLimit = TimeSpan.FromSeconds(30), SoftTimeLimit = TimeSpan.FromSeconds(20) }, services.Definition("tasks.mul").Options);
        Assert.Equal(TaskOptions.Default, services.Definition("tasks.static_add").Options);
    }

    [Fact]
    public async Task AddTasks_InstanceMethod_RunsOnANewConstructorInjectedInstancePerExecution()
    {
        using var services = TaskHost.Build(b => b.AddTasks<MathTasks>(), s => s.AddSingleton<InstanceCounter>());

        AssertJson.Equal("6", await services.InvokeAsync("tasks.mul", "[2, 3]"));
        AssertJson.Equal("12", await services.InvokeAsync("tasks.mul", "[3, 4]"));

        Assert.Equal(2, services.GetRequiredService<InstanceCounter>().Created);
    }

    [Fact]
    public async Task AddTasks_ClassRegisteredInTheContainer_UsesTheRegisteredInstance()
    {
        using var services = TaskHost.Build(b => b.AddTasks<MathTasks>(), s => s.AddSingleton<InstanceCounter>().AddSingleton<MathTasks>());

        await services.InvokeAsync("tasks.mul", "[2, 3]");
        await services.InvokeAsync("tasks.mul", "[3, 4]");

        Assert.Equal(1, services.GetRequiredService<InstanceCounter>().Created);
    }

    [Fact]
    public async Task AddTasks_StaticMethod_RunsWithoutAnInstance()
    {
        using var services = TaskHost.Build(b => b.AddTasks(typeof(MathTasks)), s => s.AddSingleton<InstanceCounter>());

        AssertJson.Equal("5", await services.InvokeAsync("tasks.static_add", "[2]", """{"y": 3}"""));
        Assert.Equal(0, services.GetRequiredService<InstanceCounter>().Created);
    }

    [Fact]
    public void AddTasks_ClassWithoutAttributedMethods_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => TaskHost.Build(b => b.AddTasks<Greeter>()));

        Assert.Contains("Greeter has no public method marked [CeleryTask]", error.Message, StringComparison.Ordinal);
    }

    public sealed class MathTasks
    {
        public MathTasks(InstanceCounter counter) => counter.Next();

        [CeleryTask("tasks.mul", TimeLimit = 30, SoftTimeLimit = 20)]
        public int Multiply(int x, int y) => x * y;

        [CeleryTask("tasks.static_add")]
        public static int Add(int x, int y) => x + y;

        public int NotATask(int x) => x;
    }
}
