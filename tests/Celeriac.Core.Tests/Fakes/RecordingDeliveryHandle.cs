using System.Collections.Concurrent;
using Celeriac.Core.Transport;

namespace Celeriac.Core.Tests.Fakes;

/// <summary>Records how a delivery was settled; completes <see cref="Settled"/> on the first call.</summary>
public sealed class RecordingDeliveryHandle(EventLog log) : IDeliveryHandle
{
    private readonly ConcurrentQueue<string> _calls = new();
    private readonly TaskCompletionSource<string> _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _runEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Every settle call in order: <c>ack</c>, <c>reject(requeue=True)</c>, ...</summary>
    public IReadOnlyList<string> Calls => _calls.ToArray();

    /// <summary>The first settle call.</summary>
    public Task<string> Settled => _settled.Task;

    public bool Acked => Calls.Contains("ack");

    /// <summary>Completes when the processor says the task's code has ended (not a settle call, so not in the log).</summary>
    public Task RunEndedSignal => _runEnded.Task;

    public void RunEnded() => _runEnded.TrySetResult();

    public ValueTask AckAsync(CancellationToken cancellationToken) => Record("ack");

    public ValueTask RejectAsync(bool requeue, CancellationToken cancellationToken) => Record($"reject(requeue={requeue})");

    private ValueTask Record(string call)
    {
        _calls.Enqueue(call);
        log.Add(call);
        _settled.TrySetResult(call);
        return ValueTask.CompletedTask;
    }
}
