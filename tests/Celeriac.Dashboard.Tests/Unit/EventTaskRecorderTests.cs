using System.Text.Json;
using Celeriac.Core.Records;
using Celeriac.Core.States;
using Celeriac.Dashboard.Recording;
using Celeriac.Dashboard.Workers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Celeriac.Dashboard.Tests.Unit;

public sealed class EventTaskRecorderTests
{
    private const string Python = "py@h";
    private const string Celeriac = "celeriac@h";
    private static readonly DateTimeOffset s_now = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private readonly InMemoryTaskStore _store = new();
    private readonly WorkerBoard _workers = new();

    [Fact]
    public async Task RecordAsync_PythonWorkerEvents_RecordTheTaskToItsFinalState()
    {
        var recorder = Recorder();
        Heartbeat(Python, "py-celery");

        await recorder.RecordAsync(Event("task-received", Python, 1, """ "name": "tasks.add", "args": "(2, 3)", "kwargs": "{}", "retries": 0 """), s_now, default);
        await recorder.RecordAsync(Event("task-started", Python, 2), s_now, default);
        var written = await recorder.RecordAsync(Event("task-succeeded", Python, 3, """ "result": "5", "runtime": 0.25 """), s_now, default);

        Assert.Equal(["t1"], written);
        var record = await _store.GetAsync("t1", default);
        Assert.NotNull(record);
        Assert.Equal(TaskState.Success, record.State);
        Assert.Equal("tasks.add", record.Name);
        Assert.Equal(Python, record.Worker);
        Assert.Equal("5", record.Result!.Value.GetString());
        Assert.Equal("(2, 3)", record.Args!.Value.GetString());
        Assert.Equal(0.25, record.Runtime);
        Assert.Equal(Time(1), record.Timeline.Received);
        Assert.Equal(Time(2), record.Timeline.Started);
        Assert.Equal(Time(3), record.Timeline.Finished);
    }

    [Fact]
    public async Task RecordAsync_FailedEvent_RecordsTheExceptionAndTraceback()
    {
        var recorder = Recorder();
        Heartbeat(Python, "py-celery");
        await recorder.RecordAsync(Event("task-received", Python, 1, """ "name": "tasks.fail", "args": "('boom',)", "kwargs": "{}" """), s_now, default);

        await recorder.RecordAsync(Event("task-failed", Python, 2, """ "exception": "ValueError('boom')", "traceback": "Traceback (most recent call last):" """), s_now, default);

        var record = await _store.GetAsync("t1", default);
        Assert.Equal(TaskState.Failure, record!.State);
        Assert.Equal("ValueError", record.Error!.Type);
        Assert.Equal("boom", record.Error.Message);
        Assert.StartsWith("Traceback", record.Traceback, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordAsync_LateOrRepeatedEvents_NeverMoveTheRecordBack()
    {
        var recorder = Recorder();
        Heartbeat(Python, "py-celery");
        await recorder.RecordAsync(Event("task-received", Python, 1, """ "name": "tasks.add", "args": "(2, 3)", "kwargs": "{}" """), s_now, default);
        await recorder.RecordAsync(Event("task-started", Python, 3), s_now, default);

        Assert.Empty(await recorder.RecordAsync(Event("task-received", Python, 2, """ "name": "tasks.add", "args": "(2, 3)", "kwargs": "{}" """), s_now, default));
        Assert.Empty(await recorder.RecordAsync(Event("task-started", Python, 3), s_now, default));
        await recorder.RecordAsync(Event("task-succeeded", Python, 4, """ "result": "5", "runtime": 0.1 """), s_now, default);
        Assert.Empty(await recorder.RecordAsync(Event("task-failed", Python, 5, """ "exception": "ValueError('late')" """), s_now, default));

        var record = await _store.GetAsync("t1", default);
        Assert.Equal(TaskState.Success, record!.State);
        Assert.Equal(Time(3), record.Timeline.Started);
        Assert.Equal(3, record.Version);
    }

    [Fact]
    public async Task RecordAsync_RetriedThenReceivedAgain_CountsTheRetry()
    {
        var recorder = Recorder();
        Heartbeat(Python, "py-celery");
        await recorder.RecordAsync(Event("task-received", Python, 1, """ "name": "tasks.flaky", "args": "()", "kwargs": "{}" """), s_now, default);
        await recorder.RecordAsync(Event("task-started", Python, 2), s_now, default);
        await recorder.RecordAsync(Event("task-retried", Python, 3, """ "exception": "IOError('again')" """), s_now, default);

        Assert.Equal(TaskState.Retry, (await _store.GetAsync("t1", default))!.State);
        await recorder.RecordAsync(Event("task-received", Python, 4, """ "name": "tasks.flaky", "args": "()", "kwargs": "{}", "retries": 1 """), s_now, default);

        var record = await _store.GetAsync("t1", default);
        Assert.Equal(TaskState.Received, record!.State);
        Assert.Equal(1, record.Retries);
    }

    [Fact]
    public async Task RecordAsync_CeleriacWorkerEvents_AreLeftToTheWorker()
    {
        var recorder = Recorder();
        Heartbeat(Celeriac, "celeriac");

        await recorder.RecordAsync(Event("task-received", Celeriac, 1, """ "name": "tasks.add", "args": "(2, 3)", "kwargs": "{}" """), s_now, default);
        await recorder.RecordAsync(Event("task-succeeded", Celeriac, 2, """ "result": "5", "runtime": 0.1 """), s_now, default);

        Assert.Null(await _store.GetAsync("t1", default));
    }

    [Fact]
    public async Task RecordAsync_UnknownWorker_WaitsForItsHeartbeatInOrder()
    {
        var recorder = Recorder();

        Assert.Empty(await recorder.RecordAsync(Event("task-received", Python, 1, """ "name": "tasks.add", "args": "(2, 3)", "kwargs": "{}" """), s_now, default));
        Assert.Empty(await recorder.RecordAsync(Event("task-succeeded", Python, 2, """ "result": "5" """), s_now, default));
        Assert.Null(await _store.GetAsync("t1", default));

        Heartbeat(Python, "py-celery");
        var written = await recorder.FlushAsync(s_now, default);

        Assert.Equal(["t1", "t1"], written);
        var record = await _store.GetAsync("t1", default);
        Assert.Equal(TaskState.Success, record!.State);
        Assert.Equal("tasks.add", record.Name);
    }

    [Fact]
    public async Task FlushAsync_UnknownWorkerSilentPastTheWait_RecordsAnyway()
    {
        var recorder = Recorder();
        await recorder.RecordAsync(Event("task-received", Python, 1, """ "name": "tasks.add", "args": "(2, 3)", "kwargs": "{}" """), s_now, default);

        Assert.Empty(await recorder.FlushAsync(s_now + EventTaskRecorder.HostWait - TimeSpan.FromSeconds(1), default));
        Assert.Equal(["t1"], await recorder.FlushAsync(s_now + EventTaskRecorder.HostWait, default));
    }

    [Fact]
    public async Task RecordAsync_Disabled_RecordsNothing()
    {
        var recorder = Recorder(enabled: false);
        Heartbeat(Python, "py-celery");

        await recorder.RecordAsync(Event("task-received", Python, 1, """ "name": "tasks.add", "args": "(2, 3)", "kwargs": "{}" """), s_now, default);

        Assert.Null(await _store.GetAsync("t1", default));
    }

    [Theory]
    [InlineData("ValueError('boom')", "ValueError", "boom")]
    [InlineData("KeyError(\"it's\")", "KeyError", "it's")]
    [InlineData("TypeError('a', 2)", "TypeError", "'a', 2")]
    [InlineData("RuntimeError()", "RuntimeError", "")]
    [InlineData("something odd", "Exception", "something odd")]
    public void ParseException_PythonRepr_GivesTypeAndMessage(string repr, string type, string message)
    {
        var error = EventTransitions.ParseException(repr);

        Assert.Equal(type, error.Type);
        Assert.Equal(message, error.Message);
    }

    private EventTaskRecorder Recorder(bool enabled = true) =>
        new(_store, _workers, Options.Create(new DashboardOptions { RecordTasksFromEvents = enabled }), NullLogger<EventTaskRecorder>.Instance);

    private void Heartbeat(string hostname, string software) =>
        _workers.Apply(JsonDocument.Parse($$"""{"type": "worker-heartbeat", "hostname": "{{hostname}}", "freq": 2.0, "sw_ident": "{{software}}"}""").RootElement, s_now);

    private static DateTimeOffset Time(int second) => s_now.AddSeconds(second);

    private static JsonElement Event(string type, string hostname, int second, string fields = "")
    {
        var extra = fields.Length > 0 ? ", " + fields : "";
        var timestamp = Time(second).ToUnixTimeMilliseconds() / 1000.0;
        return JsonDocument.Parse($$"""{"type": "{{type}}", "uuid": "t1", "hostname": "{{hostname}}", "timestamp": {{timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture)}}{{extra}}}""")
            .RootElement.Clone();
    }
}
