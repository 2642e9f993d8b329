using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Celeriac.Core.Diagnostics;
using Celeriac.Core.Protocol;
using Celeriac.Core.Tasks;
using Celeriac.Core.Tests.Execution;
using Celeriac.Core.Tests.Fakes;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Diagnostics;

/// <summary>The "Celeriac" activity source and meter, heard as an OpenTelemetry SDK hears them: through listeners.</summary>
public sealed class TaskTelemetryTests : IDisposable
{
    // Other tests run tasks at the same time: every assertion looks only at this test's own task name.
    private readonly string _name = $"tasks.telemetry_{Guid.NewGuid():N}";
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measured = new();
    private readonly ActivityListener _activities;
    private readonly MeterListener _meters = new();
    private readonly ITestOutputHelper _output;

    public TaskTelemetryTests(ITestOutputHelper output)
    {
        _output = output;
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == TaskTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_activities);
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == TaskTelemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Measured(instrument, value, tags));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Measured(instrument, value, tags));
        _meters.Start();
    }

    [Fact]
    public async Task ProcessAsync_MessageWithTraceParent_RunsTheTaskInAChildSpanOfTheSender()
    {
        await using var worker = TestWorker.Create(_output, b => b.AddTask(_name, () => Activity.Current?.OperationName ?? "none"));
        var sender = ActivityContext.Parse("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "vendor=x");
        var task = NewTask(_name) with { TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", TraceState = "vendor=x" };

        await worker.ProcessAsync(worker.Deliver(task.Encode()));

        var run = Assert.Single(_stopped, a => a.OperationName == $"run/{_name}");
        Assert.Equal(ActivityKind.Consumer, run.Kind);
        Assert.Equal(sender.TraceId, run.TraceId);
        Assert.Equal(sender.SpanId, run.ParentSpanId);
        Assert.Equal("vendor=x", run.TraceStateString);
        Assert.Equal("SUCCESS", run.GetTagItem("celery.state"));
        Assert.Equal(task.Id, run.GetTagItem("messaging.message.id"));
        // The task's own code runs inside the span, so what it calls joins the trace.
        Assert.Equal($"\"run/{_name}\"", worker.Publisher.Results(TestWorker.ReplyTo).Single().Value.GetRawText());
    }

    [Fact]
    public async Task ProcessAsync_TaskThrows_SpanIsAnErrorAndNoTraceParentStartsANewTrace()
    {
        await using var worker = TestWorker.Create(_output, b => b.AddTask(_name, (Func<int, int>)Thrower.Boom));

        await worker.ProcessAsync(worker.Deliver(NewTask(_name, "[1]").Encode()));

        var run = Assert.Single(_stopped, a => a.OperationName == $"run/{_name}");
        Assert.Equal(ActivityStatusCode.Error, run.Status);
        Assert.Equal(default, run.ParentSpanId);
        Assert.Equal("FAILURE", run.GetTagItem("celery.state"));
    }

    [Fact]
    public async Task ProcessAsync_TasksThatSucceedAndFail_AreCountedByNameAndStateWithRuntimeQueueWaitAndRunning()
    {
        var failing = _name + "_boom";
        await using var worker = TestWorker.Create(_output, b => b.AddTask(_name, () => 1).AddTask(failing, (Func<int, int>)Thrower.Boom));

        await worker.ProcessAsync(worker.Deliver(NewTask(_name).Encode()));
        await worker.ProcessAsync(worker.Deliver(NewTask(_name).Encode()));
        await worker.ProcessAsync(worker.Deliver(NewTask(failing, "[1]").Encode()));

        Assert.Equal(2, Sum(TaskTelemetry.TasksFinished, _name, "SUCCESS"));
        Assert.Equal(1, Sum(TaskTelemetry.TasksFinished, failing, "FAILURE"));
        Assert.Equal(2, Count(TaskTelemetry.TaskRuntime, _name, "SUCCESS"));
        Assert.Equal(2, Count(TaskTelemetry.TaskQueueWait, _name));
        Assert.Equal(2, Count(TaskTelemetry.TasksRunning, _name, value: 1));
        Assert.Equal(0, Sum(TaskTelemetry.TasksRunning, _name));
    }

    [Fact]
    public async Task ProcessAsync_TaskAsksForARetry_IsCountedAsRetryNotAsFinished()
    {
        await using var worker = TestWorker.Create(_output,
            b => b.AddTask(_name, (Func<TaskContext, int>)(c => throw c.Retry(countdown: TimeSpan.FromHours(1)))));

        await worker.ProcessAsync(worker.Deliver(NewTask(_name).Encode()));

        Assert.Equal(1, Sum(TaskTelemetry.TasksFinished, _name, "RETRY"));
        Assert.Equal(0, Sum(TaskTelemetry.TasksFinished, _name, "FAILURE"));
        Assert.Equal(0, Sum(TaskTelemetry.TasksFinished, _name, "SUCCESS"));
    }

    [Fact]
    public void StartSend_WithAListener_StartsAProducerSpanAndPutsItsContextInTheHeaders()
    {
        var message = NewTask(_name);

        Activity? activity;
        TaskMessage traced;
        using (activity = TaskTelemetry.StartSend(message, "celery", out traced))
        {
            Assert.NotNull(activity);
        }

        Assert.Equal($"apply_async/{_name}", activity!.OperationName);
        Assert.Equal(ActivityKind.Producer, activity.Kind);
        Assert.Equal(activity.Id, traced.TraceParent);
        var headers = TaskMessageCodec.Encode(traced).Headers;
        Assert.Equal(activity.Id, headers["traceparent"]);
        Assert.Equal(activity.Id, TaskMessageCodec.Decode(TaskMessageCodec.Encode(traced)).TraceParent);
    }

    [Fact]
    public void StartSend_NobodyListensButACallerSpanIsCurrent_SendsTheCallersContext()
    {
        _activities.Dispose();
        using var caller = new Activity("caller").SetIdFormat(ActivityIdFormat.W3C).Start();
        caller.TraceStateString = "k=v";

        using var activity = TaskTelemetry.StartSend(NewTask(_name), "celery", out var traced);

        Assert.Null(activity);
        Assert.Equal(caller.Id, traced.TraceParent);
        Assert.Equal("k=v", traced.TraceState);
    }

    [Fact]
    public void Encode_NoTraceContext_WritesNoTraceHeaders()
    {
        var headers = TaskMessageCodec.Encode(NewTask(_name)).Headers;

        Assert.False(headers.ContainsKey("traceparent"));
        Assert.False(headers.ContainsKey("tracestate"));
    }

    public void Dispose()
    {
        _activities.Dispose();
        _meters.Dispose();
    }

    private void Measured(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measured.Enqueue((instrument.Name, value, copy));
    }

    private IEnumerable<double> Values(string instrument, string name, string? state) =>
        _measured.Where(m => m.Instrument == instrument && Equals(m.Tags.GetValueOrDefault("celery.task_name"), name)
            && (state is null || Equals(m.Tags.GetValueOrDefault("celery.state"), state))).Select(m => m.Value);

    private double Sum(string instrument, string name, string? state = null) => Values(instrument, name, state).Sum();

    private int Count(string instrument, string name, string? state = null, double? value = null) =>
        Values(instrument, name, state).Count(v => value is null || v == value);
}
