using Celeriac.Core.Records;
using Celeriac.Core.States;
using Celeriac.DurableTask.Testing;
using Celeriac.DurableTask.Tests.Support;
using Celeriac.Records.Testing;
using Celeriac.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Celeriac.Records.Testing.Tasks;

namespace Celeriac.DurableTask.Tests;

/// <summary>What only the entity store shows, on the real Durable extension and Azurite: lagging reads, several writers, key prefixes, restarts.</summary>
[Collection(DurableExtensionCollection.Name)]
public sealed class DurableTaskStoreTests(DurableExtensionFixture fixture, ITestOutputHelper output) : IDisposable
{
    private const int Timeout = 180_000;
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(100);

    public void Dispose() => fixture.Logs.Detach();

    [Fact(Timeout = Timeout)]
    public async Task ApplyAsync_ChangesFromTwoStoreInstances_TheEntityAppliesBothInTurn()
    {
        fixture.Logs.Attach(output.WriteLine);
        var prefix = DurableExtensionFixture.NewKeyPrefix();
        var api = fixture.CreateStore(prefix);
        var worker = fixture.CreateStore(prefix);

        await api.ApplyAllAsync("t1", Accepted(1));
        await worker.ApplyAllAsync("t1", Received(2, "celery@w"), Started(3, "celery@w"));
        // A second writer whose read may lag behind both: its prediction can be off, the entity still applies it last.
        await api.ApplyAsync("t1", RevokeRequested(4, terminate: true), default);

        var record = await WaitForAsync(api, "t1", r => r.Version == 4);
        Assert.Equal(TaskState.Started, record.State);
        Assert.Equal("celery@w", record.Worker);
        Assert.Equal(new RevokeRequest(At(4), Terminate: true), record.Revoke);
        Assert.Equal(At(1), record.Timeline.Pending);
    }

    [Fact(Timeout = Timeout)]
    public async Task ApplyAsync_LateReportFromAnotherInstance_NeverOverwritesTheFinalState()
    {
        fixture.Logs.Attach(output.WriteLine);
        var prefix = DurableExtensionFixture.NewKeyPrefix();
        var first = fixture.CreateStore(prefix);
        await first.ApplyAllAsync("t1", Accepted(1), Received(2), Started(3), Succeeded(4, "5"));
        await WaitForAsync(first, "t1", r => r.IsFinal);

        // A fresh instance (another process) sends a stale report: it reads the final record and predicts "ignored".
        var late = await fixture.CreateStore(prefix).ApplyAsync("t1", Failed(5), default);

        Assert.False(late.WasApplied);
        Assert.Contains("already finished: SUCCESS", late.Reason, StringComparison.Ordinal);
        // Its signal went out anyway; once the entity has processed a later change, the record is still SUCCESS, version 4.
        await first.ApplyAsync("t1", RevokeRequested(6), default);
        await WaitForAsync(first, "t1", r => r.Version == 4 && r.State == TaskState.Success);
        var record = (await first.GetAsync("t1", default))!;
        Assert.Equal("5", record.Result?.GetRawText());
        Assert.Null(record.Error);
    }

    [Fact(Timeout = Timeout)]
    public async Task QueryAsync_TwoKeyPrefixes_EachStoreSeesOnlyItsOwnRecords()
    {
        fixture.Logs.Attach(output.WriteLine);
        var left = new SettledReadsTaskStore(fixture.CreateStore(), s_deadline);
        var right = new SettledReadsTaskStore(fixture.CreateStore(), s_deadline);
        await left.ApplyAllAsync("t1", Accepted(1, "tasks.left"));
        await right.ApplyAllAsync("t1", Accepted(2, "tasks.right"));
        await right.ApplyAllAsync("t2", Accepted(3, "tasks.right"));

        Assert.Equal(["t1"], (await left.QueryAsync(new TaskRecordQuery(), default)).Items.Select(r => r.Id));
        Assert.Equal(["t2", "t1"], (await right.QueryAsync(new TaskRecordQuery(), default)).Items.Select(r => r.Id));
        Assert.Equal("tasks.left", (await left.GetAsync("t1", default))!.Name);
        Assert.Equal("tasks.right", (await right.GetAsync("t1", default))!.Name);
        Assert.Equal(1, (await left.CountByStateAsync(default))[TaskState.Pending]);
    }

    [Fact(Timeout = Timeout)]
    public async Task GetAsync_AfterTheHostRestarts_TheRecordsAreStillThere()
    {
        fixture.Logs.Attach(output.WriteLine);
        var hub = DurableExtensionHost.NewHubName();
        var prefix = DurableExtensionFixture.NewKeyPrefix();
        TaskRecord? before;
        await using (var host = await StartHostAsync(hub))
        {
            var store = CreateStore(host, prefix);
            await store.ApplyAllAsync("t1", Accepted(1), Received(2), Started(3), Succeeded(4, """{"sum": 5}"""));
            before = await WaitForAsync(store, "t1", r => r.Version == 4);
        }

        await using var restarted = await StartHostAsync(hub);
        var reopened = CreateStore(restarted, prefix);

        RecordAssert.Same(before, await reopened.GetAsync("t1", default));
        Assert.Equal(["t1"], (await reopened.QueryAsync(new TaskRecordQuery { State = TaskState.Success }, default)).Items.Select(r => r.Id));
    }

    private Task<DurableExtensionHost> StartHostAsync(string hub)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        return DurableExtensionHost.StartAsync(new DurableExtensionHostOptions
        {
            StorageConnectionString = AzuriteEnvironment.ConnectionString,
            HubName = hub,
            Logs = new RelayLoggerProvider(fixture.Logs),
        }, timeout.Token);
    }

    private static DurableTaskStore CreateStore(DurableExtensionHost host, string prefix) =>
        new(host.Clients, Options.Create(new DurableTaskStoreOptions { KeyPrefix = prefix }), TimeProvider.System, NullLogger<DurableTaskStore>.Instance);

    private static async Task<TaskRecord> WaitForAsync(ITaskStore store, string taskId, Func<TaskRecord, bool> condition)
    {
        TaskRecord? last = null;
        await Eventually.WaitAsync(async () => (last = await store.GetAsync(taskId, default)) is { } r && condition(r), s_deadline,
            $"task {taskId}'s entity to reach the expected record (last read: version {last?.Version}, {last?.State})");
        return last!;
    }
}
