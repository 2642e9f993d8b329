using System.Text;
using System.Text.Json;
using Celeriac.Core.Events;
using Celeriac.Core.Protocol;
using Celeriac.Core.States;
using Celeriac.Functions.Execution;
using Celeriac.Functions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Functions.Tests.Execution;

/// <summary>
/// The RabbitMQ-triggered function through the SDK's types: the trigger's body and BindingData go to the worker's one
/// core call; a task's own outcome is a normal return (the listener acks), an infrastructure failure throws (the
/// listener republishes).
/// </summary>
public sealed class ExecuteTaskFunctionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private FunctionsUnderTest _app = null!;

    public Task InitializeAsync()
    {
        _app = FunctionsUnderTest.Create(output);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact(Timeout = 30_000)]
    public async Task Run_AddFromPython_ReturnsRecordsSuccessAndRepliesWithTheResult()
    {
        var task = NewTask("tasks.add", "[2, 3]");
        var (body, bindingData) = TriggerInput.For(task);

        await _app.Execute.Run(body, _app.Client, new FakeFunctionContext(bindingData, _app.Services));

        var record = await _app.Store.Inner.GetAsync(task.Id, default);
        Assert.NotNull(record);
        Assert.Equal(TaskState.Success, record.State);
        Assert.Equal("5", record.Result?.GetRawText());
        Assert.StartsWith("celeriac-functions@", record.Worker, StringComparison.Ordinal);
        // The rpc:// reply, to the queue the Python caller named, with the task id as correlation id.
        var reply = Assert.Single(_app.Broker.Published, p => p.RoutingKey == task.ReplyTo);
        Assert.Equal(task.Id, reply.Message.CorrelationId);
        Assert.Same(_app.Client, _app.Clients.GetClient());
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_TaskRaises_ReturnsNormallyWithTheFailureRecorded()
    {
        var task = NewTask("tasks.fail", """["boom"]""");
        var (body, bindingData) = TriggerInput.For(task);

        await _app.Execute.Run(body, _app.Client, new FakeFunctionContext(bindingData, _app.Services));

        var record = await _app.Store.Inner.GetAsync(task.Id, default);
        Assert.NotNull(record);
        Assert.Equal(TaskState.Failure, record.State);
        Assert.Equal("InvalidOperationException", record.Error?.Type);
        Assert.Equal("boom", record.Error?.Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_StoreUnavailable_ThrowsSoTheListenerRepublishes_AndRecordsNothing()
    {
        var task = NewTask("tasks.add", "[2, 3]");
        var (body, bindingData) = TriggerInput.For(task);
        _app.Store.Unavailable = true;

        var error = await Assert.ThrowsAsync<TaskRequeuedException>(() => _app.Execute.Run(body, _app.Client, new FakeFunctionContext(bindingData, _app.Services)));

        Assert.Contains(task.Id, error.Message, StringComparison.Ordinal);
        _app.Store.Unavailable = false;
        Assert.Null(await _app.Store.Inner.GetAsync(task.Id, default));
        Assert.DoesNotContain(_app.Broker.Published, p => p.RoutingKey == task.ReplyTo);
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_RepublishedCopyOfAFinishedTask_IsNotRunAgainButItsResultIsSentAgain()
    {
        var task = NewTask("tasks.add", "[2, 3]");
        var (body, bindingData) = TriggerInput.For(task);
        await _app.Execute.Run(body, _app.Client, new FakeFunctionContext(bindingData, _app.Services));
        var finished = await _app.Store.Inner.GetAsync(task.Id, default);
        // Task events go out after the run, in batches: counted once every one handed over is sent.
        await Events.FlushAsync();
        var eventsOfTheRun = EventsOf(task.Id);
        var repliesOfTheRun = _app.Broker.Published.Count(p => p.RoutingKey == task.ReplyTo);

        // The copy the listener republishes after a failed attempt (the ack of a finished run was lost) carries the count header.
        var (copy, copyBindingData) = TriggerInput.For(task, requeueCount: 1);
        await _app.Execute.Run(copy, _app.Client, new FakeFunctionContext(copyBindingData, _app.Services));

        var record = await _app.Store.Inner.GetAsync(task.Id, default);
        Assert.Equal(TaskState.Success, record?.State);
        Assert.Equal(finished?.Timeline.Started, record?.Timeline.Started);
        Assert.Equal(finished?.Timeline.Finished, record?.Timeline.Finished);
        // Not run again: no new event; the result goes to the caller once more, in case the first reply was what failed.
        await Events.FlushAsync();
        Assert.Equal(eventsOfTheRun, EventsOf(task.Id));
        Assert.Equal(repliesOfTheRun + 1, _app.Broker.Published.Count(p => p.RoutingKey == task.ReplyTo));
        var resent = _app.Broker.Published.Last(p => p.RoutingKey == task.ReplyTo);
        Assert.Contains("\"SUCCESS\"", Encoding.UTF8.GetString(resent.Message.Body.Span), StringComparison.Ordinal);
    }

    private EventDispatcher Events => _app.Services.GetRequiredService<EventDispatcher>();

    private int EventsOf(string taskId) => _app.Broker.Published.Count(p => p.RoutingKey.StartsWith("task.", StringComparison.Ordinal)
        && Encoding.UTF8.GetString(p.Message.Body.Span).Contains(taskId, StringComparison.Ordinal));

    private static TaskMessage NewTask(string name, string args) => new()
    {
        Id = Guid.NewGuid().ToString(),
        Name = name,
        Args = JsonDocument.Parse(args).RootElement.Clone(),
        ReplyTo = "reply-" + Guid.NewGuid().ToString("N"),
    };
}
