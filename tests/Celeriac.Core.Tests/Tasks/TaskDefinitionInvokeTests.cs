using Celeriac.Core.Tasks;
using Celeriac.Core.Tests.GoldenWire;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Core.Tests.Tasks;

/// <summary>Injection of non-argument parameters, and every supported return shape.</summary>
public sealed class TaskDefinitionInvokeTests
{
    [Fact]
    public async Task InvokeAsync_CancellationTokenParameter_GetsTheTasksTokenAndTakesNoArgument()
    {
        using var services = TaskHost.Build(b => b.AddTask("tasks.cancelled", (int x, CancellationToken token) => token.IsCancellationRequested ? -x : x));
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        var result = await services.InvokeAsync("tasks.cancelled", "[3]", cancellationToken: cancellation.Token);

        AssertJson.Equal("-3", result);
    }

    [Fact]
    public async Task InvokeAsync_TaskContextParameter_DescribesTheInvocation()
    {
        using var services = TaskHost.Build(b => b.AddTask("tasks.whoami",
            (int x, TaskContext context, int y) => $"{context.Name}[{context.Id}]@{context.Hostname} {context.Args.GetRawText()} {context.Kwargs.GetRawText()} {x + y}"));

        var result = await services.InvokeAsync("tasks.whoami", "[1]", """{"y": 2}""");

        Assert.Equal("""tasks.whoami[id-1]@w1@vm [1] {"y": 2} 3""", result.GetString());
    }

    [Fact]
    public async Task InvokeAsync_RegisteredServiceParameter_IsInjectedNotBound()
    {
        using var services = TaskHost.Build(
            b => b.AddTask("tasks.greet", (string name, IGreeter greeter) => greeter.Greet(name)),
            s => s.AddSingleton<IGreeter, Greeter>());

        var result = await services.InvokeAsync("tasks.greet", """["Ada"]""");

        Assert.Equal("Hello, Ada", result.GetString());
    }

    [Fact]
    public async Task InvokeAsync_ScopedService_IsResolvedFromTheExecutionScope()
    {
        using var services = TaskHost.Build(
            b => b.AddTask("tasks.scoped", (InstanceCounter counter) => counter.Next()),
            s => s.AddScoped<InstanceCounter>());

        var first = await services.InvokeAsync("tasks.scoped");
        var second = await services.InvokeAsync("tasks.scoped");

        AssertJson.Equal("1", first);
        AssertJson.Equal("1", second);
    }

    [Fact]
    public async Task InvokeAsync_ServiceProviderParameter_IsTheScope()
    {
        using var services = TaskHost.Build(
            b => b.AddTask("tasks.resolve", (IServiceProvider provider) => provider.GetRequiredService<IGreeter>().Greet("sp")),
            s => s.AddSingleton<IGreeter, Greeter>());

        Assert.Equal("Hello, sp", (await services.InvokeAsync("tasks.resolve")).GetString());
    }

    [Fact]
    public async Task InvokeAsync_EnumerableParameters_AreDataEvenThoughTheContainerCouldResolveThem()
    {
        using var services = TaskHost.Build(b => b
            .AddTask("tasks.sum", (IEnumerable<int> numbers) => numbers.Sum())
            .AddTask("tasks.count", (IReadOnlyList<string> words, List<int> numbers, int[] more) => words.Count + numbers.Count + more.Length));

        AssertJson.Equal("6", await services.InvokeAsync("tasks.sum", "[[1, 2, 3]]"));
        AssertJson.Equal("6", await services.InvokeAsync("tasks.count", """[["a"], [1, 2], [3, 4, 5]]"""));
        Assert.Equal(TaskParameterSource.Argument, services.Definition("tasks.sum").Parameters[0].Source);
    }

    [Fact]
    public async Task InvokeAsync_KombuTypedValues_BindToTheirDotNetTypes()
    {
        using var services = TaskHost.Build(b => b.AddTask("tasks.typed",
            (DateTime when, Guid id, decimal amount, byte[] data, DateTimeOffset at) =>
                $"{when:O}|{when.Kind}|{id}|{amount}|{Convert.ToHexString(data)}|{at:O}"));
        const string args = """
            [{"__type__": "datetime", "__value__": "2026-03-01T14:00:10.123456+02:00"},
             {"__type__": "uuid", "__value__": {"hex": "0123456789abcdef0123456789abcdef"}},
             {"__type__": "decimal", "__value__": "10.50"},
             {"__type__": "base64", "__value__": "/wA="},
             {"__type__": "datetime", "__value__": "2026-03-01T12:00:10"}]
            """;

        var result = await services.InvokeAsync("tasks.typed", args);

        Assert.Equal("2026-03-01T12:00:10.1234560Z|Utc|01234567-89ab-cdef-0123-456789abcdef|10.50|FF00|2026-03-01T12:00:10.0000000+00:00", result.GetString());
    }

    [Fact]
    public async Task InvokeAsync_KombuBytesBoundToByteArray_IsTheUtf8Text()
    {
        using var services = TaskHost.Build(b => b.AddTask("tasks.bytes", (byte[] data) => data.Length));

        AssertJson.Equal("3", await services.InvokeAsync("tasks.bytes", """[{"__type__": "bytes", "__value__": "abc"}]"""));
    }

    [Fact]
    public async Task InvokeAsync_EveryReturnShape_BecomesItsJsonResult()
    {
        var ran = 0;
        using var services = TaskHost.Build(b => b
            .AddTask("tasks.task_of_t", async (int x) => { await Task.Yield(); return x * 2; })
            .AddTask("tasks.task", async () => { await Task.Yield(); ran++; })
            .AddTask("tasks.value_task_of_t", (string s) => ValueTask.FromResult(s.ToUpperInvariant()))
            .AddTask("tasks.value_task", () => { ran++; return ValueTask.CompletedTask; })
            .AddTask("tasks.void", () => { ran++; })
            .AddTask("tasks.record", (int x, int y) => new Pair(x + y, x * y))
            .AddTask("tasks.null", () => (string?)null));

        AssertJson.Equal("8", await services.InvokeAsync("tasks.task_of_t", "[4]"));
        AssertJson.Equal("null", await services.InvokeAsync("tasks.task"));
        AssertJson.Equal("\"ABC\"", await services.InvokeAsync("tasks.value_task_of_t", """["abc"]"""));
        AssertJson.Equal("null", await services.InvokeAsync("tasks.value_task"));
        AssertJson.Equal("null", await services.InvokeAsync("tasks.void"));
        AssertJson.Equal("""{"sum": 5, "product": 6}""", await services.InvokeAsync("tasks.record", "[2, 3]"));
        AssertJson.Equal("null", await services.InvokeAsync("tasks.null"));
        Assert.Equal(3, ran);
    }

    [Fact]
    public async Task InvokeAsync_TaskThrows_TheExceptionIsNotWrapped()
    {
        using var services = TaskHost.Build(b => b
            .AddTask("tasks.sync_boom", (int x) => x > 0 ? throw new InvalidOperationException($"boom {x}") : x)
            .AddTask("tasks.async_boom", async (int x) => { await Task.Yield(); return x > 0 ? throw new InvalidOperationException($"boom {x}") : x; }));

        var sync = await Assert.ThrowsAsync<InvalidOperationException>(() => services.InvokeAsync("tasks.sync_boom", "[7]"));
        var async = await Assert.ThrowsAsync<InvalidOperationException>(() => services.InvokeAsync("tasks.async_boom", "[7]"));

        Assert.Equal("boom 7", sync.Message);
        Assert.Equal("boom 7", async.Message);
    }

    private sealed record Pair(int Sum, int Product);
}
