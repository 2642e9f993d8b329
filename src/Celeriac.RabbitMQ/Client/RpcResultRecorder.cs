using System.Collections.Concurrent;
using Celeriac.Core.Execution;
using Celeriac.Core.Protocol;
using Celeriac.Core.Records;
using Celeriac.Core.States;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Celeriac.RabbitMQ.Client;

/// <summary>
/// Writes the rpc:// results of tasks sent for workers that keep no task records (Python Celery) to the task store, so
/// the HTTP API shows their outcome. Only ids it was told to expect are written: a result for any other id (the .NET
/// client's own calls) never creates a record. The ids kept are bounded; the oldest are forgotten first.
/// </summary>
internal sealed class RpcResultRecorder
{
    private const int MaxExpected = 100_000;

    private readonly CeleryClient _client;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private readonly ILogger<RpcResultRecorder> _logger;
    private readonly ConcurrentDictionary<string, bool> _expected = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();

    public RpcResultRecorder(CeleryClient client, IServiceProvider services, TimeProvider time, ILogger<RpcResultRecorder> logger)
    {
        _client = client;
        _services = services;
        _time = time;
        _logger = logger;
    }

    /// <summary>Records the outcome of <paramref name="taskId"/> when its result comes back to the client's reply queue.</summary>
    public void Expect(string taskId)
    {
        // Resolved when first needed: a process that never sends such a task (beat, the CLI) needs no store.
        _client.ResultObserver ??= OnResultAsync;
        if (_expected.TryAdd(taskId, true))
        {
            _order.Enqueue(taskId);
            while (_order.Count > MaxExpected && _order.TryDequeue(out var oldest))
            {
                _expected.TryRemove(oldest, out _);
            }
        }
    }

    private async Task OnResultAsync(TaskResult result)
    {
        if (!result.State.IsFinal() || !_expected.TryRemove(result.TaskId, out _))
        {
            return;
        }

        if (_services.GetService<ITaskStore>() is not { } store)
        {
            return;
        }

        var outcome = new TaskOutcome { State = result.State, Value = result.Value, Error = result.Error, Traceback = result.Traceback };
        try
        {
            await store.ApplyAsync(result.TaskId, new TaskFinished(_time.GetUtcNow(), null, outcome), CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.ResultNotRecorded(_logger, result.TaskId, ex);
        }
    }
}
