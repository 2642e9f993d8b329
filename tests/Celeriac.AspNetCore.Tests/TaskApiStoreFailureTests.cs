using Celeriac.AspNetCore.Api;
using Celeriac.Core.Protocol;
using Celeriac.Core.Records;
using Celeriac.Core.States;
using Celeriac.Core.Tasks;
using Celeriac.Core.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Celeriac.AspNetCore.Tests;

/// <summary>A record store that fails (locked past its busy timeout, a full disk): 503 with Retry-After, never a 500.</summary>
public sealed class TaskApiStoreFailureTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly SilentBroker _broker = new();

    [Fact]
    public async Task GetRevokeList_StoreThrows_503StoreUnavailableWithRetryAfterAndNoBroadcast()
    {
        var api = CreateApi(new FailingStore(), new TaskApiOptions { RetryAfterSeconds = 3 });

        var responses = new[]
        {
            await api.GetAsync("t1", default),
            await api.RevokeAsync("t1", terminate: true, new Uri("http://localhost/"), default),
            await api.ListAsync(new Dictionary<string, string?>(), default),
        };

        Assert.All(responses, r =>
        {
            Assert.Equal((503, 3), (r.StatusCode, r.RetryAfterSeconds));
            Assert.Equal("urn:celeriac:problem:store-unavailable", Assert.IsType<ApiProblem>(r.Body).Type);
        });
        Assert.Equal(0, _broker.Revokes);
    }

    [Fact]
    public async Task GetAsync_RequestCancelled_ThrowsInsteadOfAnswering503()
    {
        var api = CreateApi(new FailingStore(), new TaskApiOptions());
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => api.GetAsync("t1", cancelled.Token));
    }

    private TaskApi CreateApi(ITaskStore store, TaskApiOptions apiOptions)
    {
        var registry = new TaskRegistry(Options.Create(new TaskRegistryOptions()));
        var options = Options.Create(apiOptions);
        var catalog = new TaskNameCatalog(registry, [], options, _time, NullLogger<TaskNameCatalog>.Instance);
        return new TaskApi(registry, catalog, store, _broker, _time, options, NullLogger<TaskApi>.Instance);
    }

    /// <summary>Fails every call as a locked SQLite file does once its busy timeout is over; a cancelled call is cancelled.</summary>
    private sealed class FailingStore : ITaskStore
    {
        public ValueTask<TaskRecord?> GetAsync(string taskId, CancellationToken cancellationToken) => Fail<TaskRecord?>(cancellationToken);

        public ValueTask<TransitionResult> ApplyAsync(string taskId, TaskTransition transition, CancellationToken cancellationToken) =>
            Fail<TransitionResult>(cancellationToken);

        public ValueTask<TaskRecordPage> QueryAsync(TaskRecordQuery query, CancellationToken cancellationToken) => Fail<TaskRecordPage>(cancellationToken);

        public ValueTask<IReadOnlyDictionary<TaskState, long>> CountByStateAsync(CancellationToken cancellationToken) =>
            Fail<IReadOnlyDictionary<TaskState, long>>(cancellationToken);

        private static ValueTask<T> Fail<T>(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromException<T>(new InvalidOperationException("database is locked"));
        }
    }

    private sealed class SilentBroker : ITaskBroker
    {
        public int Revokes { get; private set; }

        public ValueTask SendTaskAsync(TaskMessage message, string queue, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask SendRecordingResultAsync(TaskMessage message, string queue, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask BroadcastRevokeAsync(string taskId, bool terminate, CancellationToken cancellationToken)
        {
            Revokes++;
            return ValueTask.CompletedTask;
        }
    }
}
