namespace Celeriac.Core.Tests.Fakes;

/// <summary>
/// A task body a test controls: it reports when it started and runs until the test releases it, either
/// honouring its cancellation token or ignoring it (a badly behaved task).
/// </summary>
public sealed class TaskGate
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _runs;

    /// <summary>Completes when the body first runs.</summary>
    public Task Started => _started.Task;

    /// <summary>How many times the body ran.</summary>
    public int Runs => Volatile.Read(ref _runs);

    /// <summary>Lets every run of the body return.</summary>
    public void Release() => _release.TrySetResult();

    /// <summary>Runs until released, whatever happens to its token.</summary>
    public async Task<int> IgnoreTokenAsync()
    {
        Enter();
        await _release.Task;
        return 1;
    }

    /// <summary>Runs until released or until its token is cancelled.</summary>
    public async Task<int> ObserveTokenAsync(CancellationToken cancellationToken)
    {
        Enter();
        await _release.Task.WaitAsync(cancellationToken);
        return 1;
    }

    private void Enter()
    {
        Interlocked.Increment(ref _runs);
        _started.TrySetResult();
    }
}
