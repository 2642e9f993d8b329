using Celeriac.Core.Records;
using Celeriac.Core.States;

namespace Celeriac.Records.Testing;

/// <summary>
/// A store whose writes of one kind (<typeparamref name="THeld"/>) wait until the test calls <see cref="Release"/>;
/// every other call goes straight to <paramref name="inner"/>. For tests of what a caller does while a write is slow.
/// </summary>
public sealed class HeldWritesStore<THeld>(ITaskStore inner) : ITaskStore where THeld : TaskTransition
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets every held write, and every later one, through.</summary>
    public void Release() => _released.TrySetResult();

    public async ValueTask<TransitionResult> ApplyAsync(string taskId, TaskTransition transition, CancellationToken cancellationToken)
    {
        if (transition is THeld)
        {
            await _released.Task.WaitAsync(cancellationToken);
        }

        return await inner.ApplyAsync(taskId, transition, cancellationToken);
    }

    public ValueTask<TaskRecord?> GetAsync(string taskId, CancellationToken cancellationToken) => inner.GetAsync(taskId, cancellationToken);

    public ValueTask<TaskRecordPage> QueryAsync(TaskRecordQuery query, CancellationToken cancellationToken) => inner.QueryAsync(query, cancellationToken);

    public ValueTask<IReadOnlyDictionary<TaskState, long>> CountByStateAsync(CancellationToken cancellationToken) => inner.CountByStateAsync(cancellationToken);
}
