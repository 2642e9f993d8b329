using System.Collections.Concurrent;
using Celeriac.Core.Execution;
using Celeriac.Core.Records;
using Celeriac.Core.States;
using Celeriac.Core.Tests.Fakes;
using Microsoft.Extensions.Options;

namespace Celeriac.Core.Tests.Records;

/// <summary>
/// With a store that applies changes in call order, RECEIVED and STARTED are handed over without waiting for their
/// commits, so they can share one with the outcome; the outcome's report still waits for all three and fails if any did.
/// </summary>
public sealed class TaskRecordObserverTests
{
    private static readonly IOptions<WorkerOptions> s_options = Options.Create(new WorkerOptions { Hostname = "w1@test" });

    [Fact]
    public async Task OnStartedAsync_OrderedStore_ReturnsBeforeTheWritesAreAnswered()
    {
        var store = new HeldStore(inCallOrder: true);
        var observer = new TaskRecordObserver(store, TimeProvider.System, s_options);
        var message = TestMessages.NewTask("tasks.add");

        await observer.OnReceivedAsync(message, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        await observer.OnStartedAsync(message, DateTimeOffset.UtcNow, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        var finished = observer.OnFinishedAsync(message, TaskOutcome.Success(TestMessages.Json("5"), TimeSpan.Zero), CancellationToken.None).AsTask();

        // All three handed over, in order, while none is answered: they can go out in one commit.
        Assert.Equal(["TaskReceived", "TaskStarted", "TaskFinished"], store.Calls.Select(c => c.Transition.GetType().Name));
        Assert.False(finished.IsCompleted);

        store.Answer(2);
        Assert.False(finished.IsCompleted, "The outcome's report must wait for the earlier writes too.");
        store.Answer(0);
        store.Answer(1);
        await finished.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task OnFinishedAsync_OrderedStoreEarlierWriteFailed_Throws()
    {
        var store = new HeldStore(inCallOrder: true);
        var observer = new TaskRecordObserver(store, TimeProvider.System, s_options);
        var message = TestMessages.NewTask("tasks.add");

        await observer.OnReceivedAsync(message, CancellationToken.None);
        await observer.OnStartedAsync(message, DateTimeOffset.UtcNow, CancellationToken.None);
        var finished = observer.OnFinishedAsync(message, TaskOutcome.Success(TestMessages.Json("5"), TimeSpan.Zero), CancellationToken.None).AsTask();
        store.Answer(0);
        store.Fail(1, new IOException("disk full"));
        store.Answer(2);

        // As when STARTED was awaited on its own: the failure reaches the processor, which gives the message back.
        var error = await Assert.ThrowsAsync<IOException>(() => finished.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("disk full", error.Message);
    }

    [Fact]
    public async Task OnStartedAsync_StoreNotInCallOrder_WaitsForTheWrite()
    {
        var store = new HeldStore(inCallOrder: false);
        var observer = new TaskRecordObserver(store, TimeProvider.System, s_options);
        var message = TestMessages.NewTask("tasks.add");

        var received = observer.OnReceivedAsync(message, CancellationToken.None).AsTask();

        Assert.False(received.IsCompleted);
        store.Answer(0);
        await received.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>A store whose every change waits until the test answers it.</summary>
    private sealed class HeldStore(bool inCallOrder) : ITaskStore
    {
        private readonly ConcurrentQueue<Call> _calls = new();

        public IReadOnlyList<Call> Calls => _calls.ToArray();

        public bool AppliesInCallOrder => inCallOrder;

        public void Answer(int index) => Calls[index].Answer.SetResult(TransitionResult.Ignored(null, "test"));

        public void Fail(int index, Exception error) => Calls[index].Answer.SetException(error);

        public ValueTask<TransitionResult> ApplyAsync(string taskId, TaskTransition transition, CancellationToken cancellationToken)
        {
            var call = new Call(transition);
            _calls.Enqueue(call);
            return new ValueTask<TransitionResult>(call.Answer.Task);
        }

        public ValueTask<TaskRecord?> GetAsync(string taskId, CancellationToken cancellationToken) => ValueTask.FromResult<TaskRecord?>(null);

        public ValueTask<TaskRecordPage> QueryAsync(TaskRecordQuery query, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new TaskRecordPage([], null));

        public ValueTask<IReadOnlyDictionary<TaskState, long>> CountByStateAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyDictionary<TaskState, long>>(new Dictionary<TaskState, long>());
    }

    private sealed record Call(TaskTransition Transition)
    {
        public TaskCompletionSource<TransitionResult> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
