using Celeriac.Core.Records;
using Celeriac.Core.States;

namespace Celeriac.Functions.Tests.Support;

/// <summary>An in-memory record store that can be made unavailable, as a store whose backend is down (every call throws).</summary>
public sealed class SwitchableTaskStore : ITaskStore
{
    public InMemoryTaskStore Inner { get; } = new();

    /// <summary>While true every call fails with an <see cref="IOException"/>.</summary>
    public bool Unavailable { get; set; }

    public ValueTask<TaskRecord?> GetAsync(string taskId, CancellationToken cancellationToken) => Check().Inner.GetAsync(taskId, cancellationToken);

    public ValueTask<TransitionResult> ApplyAsync(string taskId, TaskTransition transition, CancellationToken cancellationToken) =>
        Check().Inner.ApplyAsync(taskId, transition, cancellationToken);

    public ValueTask<TaskRecordPage> QueryAsync(TaskRecordQuery query, CancellationToken cancellationToken) => Check().Inner.QueryAsync(query, cancellationToken);

    public ValueTask<IReadOnlyDictionary<TaskState, long>> CountByStateAsync(CancellationToken cancellationToken) =>
        Check().Inner.CountByStateAsync(cancellationToken);

    private SwitchableTaskStore Check() => Unavailable ? throw new IOException("the record store is unavailable") : this;
}
