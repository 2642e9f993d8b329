using System.Text.Json;
using Celeriac.Core.Protocol;
using Celeriac.Core.States;

namespace Celeriac.RabbitMQ.Client;

/// <summary>
/// A handle on a sent task, like Celery's <c>AsyncResult</c>: its latest state, a wait for its result, and
/// revoke.
/// </summary>
public sealed class AsyncResult
{
    private readonly CeleryClient _client;
    private readonly TaskCompletionSource<TaskResult> _final = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile TaskResult? _latest;

    internal AsyncResult(string id, CeleryClient client)
    {
        Id = id;
        _client = client;
    }

    /// <summary>The task id.</summary>
    public string Id { get; }

    /// <summary>The latest state this client has seen: PENDING until a worker reports.</summary>
    public TaskState State => _latest?.State ?? TaskState.Pending;

    /// <summary>True once the task finished (SUCCESS, FAILURE or REVOKED).</summary>
    public bool Ready => State.IsFinal();

    /// <summary>The latest report, or null.</summary>
    public TaskResult? Latest => _latest;

    /// <summary>
    /// Waits for the task to finish and returns its result. Throws <see cref="TaskFailedException"/> on
    /// FAILURE, <see cref="TaskRevokedException"/> on REVOKED, and <see cref="TimeoutException"/> when
    /// <paramref name="timeout"/> passes first.
    /// </summary>
    public async Task<JsonElement> GetAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        TaskResult result;
        try
        {
            result = await _final.Task.WaitAsync(timeout ?? Timeout.InfiniteTimeSpan, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Task {Id} did not finish within {timeout}; its state is {State.ToWireName()}.");
        }

        return result.State switch
        {
            TaskState.Success => result.Value,
            TaskState.Revoked => throw new TaskRevokedException(Id, result.Error ?? TaskError.Revoked("revoked")),
            _ => throw new TaskFailedException(Id, result.Error ?? TaskError.Create("Exception", "unknown error", null), result.Traceback),
        };
    }

    /// <summary>Waits for the result and deserializes it.</summary>
    public async Task<T?> GetAsync<T>(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        (await GetAsync(timeout, cancellationToken)).Deserialize<T>(CeleryJson.Options);

    /// <summary>Revokes the task; with <paramref name="terminate"/> a running task is stopped too.</summary>
    public Task RevokeAsync(bool terminate = false, string? signal = null, CancellationToken cancellationToken = default) =>
        _client.Control.RevokeAsync(Id, terminate, signal, cancellationToken: cancellationToken);

    /// <summary>Records a report; returns true when it is final.</summary>
    internal bool OnReport(TaskResult result)
    {
        // Never go backwards: a late STARTED after SUCCESS is ignored.
        if (_latest is { } current && current.State.IsFinal())
        {
            return true;
        }

        _latest = result;
        if (result.State.IsFinal())
        {
            _final.TrySetResult(result);
            return true;
        }

        return false;
    }
}
