using Celeriac.Core.Records;

namespace Celeriac.Sqlite;

/// <summary>A change waiting for the writer, and the caller waiting for its result.</summary>
/// <remarks>
/// The callers of a batch are answered together, on one thread-pool work item (<see cref="AnswerAll"/>): each caller's
/// continuation runs there in turn, and is a few lines up to its next write, publish or ack. Answered one by one with
/// continuations run asynchronously, every change cost a work item of its own, often a thread woken for it, which in
/// a drain was more than the continuation itself. Never answered on the writer, which would wait for them all before
/// its next commit.
/// </remarks>
internal sealed class PendingApply(string taskId, TaskTransition transition, CancellationToken cancellationToken)
{
    private readonly TaskCompletionSource<TransitionResult> _answer = new();

    public string TaskId { get; } = taskId;

    public TaskTransition Transition { get; } = transition;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>Completes only after the change is committed (or known not to be).</summary>
    public Task<TransitionResult> Answered => _answer.Task;

    /// <summary>Withdrawn before the writer took it (its caller cancelled): answered at once, no caller code waits on it.</summary>
    public void Withdraw() => _answer.TrySetCanceled(CancellationToken);

    /// <summary>Answers every change of <paramref name="batch"/> on one thread-pool work item: its result, or the error that stopped it.</summary>
    public static void AnswerAll(IReadOnlyList<PendingApply> batch, TransitionResult?[] results, Exception?[] errors) =>
        Queue(batch.Select((change, i) => new Answer(change, results[i], errors[i])).ToArray());

    /// <summary>Fails every change of <paramref name="batch"/> with <paramref name="error"/>, on one thread-pool work item.</summary>
    public static void FailAll(IReadOnlyList<PendingApply> batch, Exception error) =>
        Queue(batch.Select(change => new Answer(change, null, error)).ToArray());

    private static void Queue(Answer[] answers) =>
        ThreadPool.UnsafeQueueUserWorkItem(static answers =>
        {
            foreach (var answer in answers)
            {
                answer.Give();
            }
        }, answers, preferLocal: false);

    private readonly record struct Answer(PendingApply Change, TransitionResult? Result, Exception? Error)
    {
        public void Give()
        {
            if (Error is { } error)
            {
                Change._answer.TrySetException(error);
            }
            else
            {
                Change._answer.TrySetResult(Result!);
            }
        }
    }
}
