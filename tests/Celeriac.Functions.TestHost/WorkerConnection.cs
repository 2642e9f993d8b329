using System.Collections.Concurrent;
using System.Threading.Channels;
using Celeriac.Functions.TestHost.Rpc;
using Grpc.Core;

namespace Celeriac.Functions.TestHost;

/// <summary>
/// The host's end of the worker's <c>FunctionRpc.EventStream</c>: one stream per worker process. Requests go out through
/// one writer; responses are matched to their request (init and metadata: one at a time; loads by function id;
/// invocations by invocation id). The worker's logs go to the host's log.
/// </summary>
internal sealed class WorkerConnection(Action<string> log)
{
    private readonly Channel<StreamingMessage> _outgoing = Channel.CreateUnbounded<StreamingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _pending = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<StartStream> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the worker opened its stream.</summary>
    public Task<StartStream> Started => _started.Task;

    /// <summary>Completes when the stream ended (the worker exited or the host stops).</summary>
    public Task Closed => _closed.Task;

    /// <summary>Serves the stream until the worker closes it or the host stops.</summary>
    public async Task RunAsync(IAsyncStreamReader<StreamingMessage> incoming, IServerStreamWriter<StreamingMessage> outgoing, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writer = WriteAsync(outgoing, stop.Token);
        try
        {
            await foreach (var message in incoming.ReadAllAsync(stop.Token))
            {
                OnMessage(message);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The host stops.
        }
        catch (IOException)
        {
            // The worker went away.
        }
        finally
        {
            await stop.CancelAsync();
            await writer.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            foreach (var pending in _pending.Values)
            {
                pending.TrySetException(new InvalidOperationException("The worker's stream closed."));
            }

            _closed.TrySetResult();
        }
    }

    /// <summary>Sends a message and waits for the response filed under <paramref name="responseKey"/>.</summary>
    public async Task<StreamingMessage> RequestAsync(StreamingMessage request, string responseKey, CancellationToken cancellationToken)
    {
        var response = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd(responseKey, response))
        {
            throw new InvalidOperationException($"A request for '{responseKey}' is already waiting.");
        }

        try
        {
            await _outgoing.Writer.WriteAsync(request, cancellationToken);
            return await response.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            _pending.TryRemove(responseKey, out _);
        }
    }

    /// <summary>Sends a message that has no response.</summary>
    public ValueTask SendAsync(StreamingMessage message, CancellationToken cancellationToken) => _outgoing.Writer.WriteAsync(message, cancellationToken);

    private async Task WriteAsync(IServerStreamWriter<StreamingMessage> outgoing, CancellationToken cancellationToken)
    {
        await foreach (var message in _outgoing.Reader.ReadAllAsync(cancellationToken))
        {
            await outgoing.WriteAsync(message, cancellationToken);
        }
    }

    private void OnMessage(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.StartStream:
                _started.TrySetResult(message.StartStream);
                break;
            case StreamingMessage.ContentOneofCase.WorkerInitResponse:
                Complete(ResponseKeys.Init, message);
                break;
            case StreamingMessage.ContentOneofCase.FunctionMetadataResponse:
                Complete(ResponseKeys.Metadata, message);
                break;
            case StreamingMessage.ContentOneofCase.FunctionLoadResponse:
                Complete(ResponseKeys.Load(message.FunctionLoadResponse.FunctionId), message);
                break;
            case StreamingMessage.ContentOneofCase.InvocationResponse:
                Complete(ResponseKeys.Invocation(message.InvocationResponse.InvocationId), message);
                break;
            case StreamingMessage.ContentOneofCase.RpcLog:
                var entry = message.RpcLog;
                log($"worker {entry.Level} {entry.Category}: {entry.Message}{(entry.Exception is { } ex ? " " + ex.Message : "")}");
                break;
            default:
                log($"worker sent {message.ContentCase}; not handled by the test host");
                break;
        }
    }

    private void Complete(string key, StreamingMessage message)
    {
        if (_pending.TryGetValue(key, out var pending))
        {
            pending.TrySetResult(message);
        }
        else
        {
            log($"worker sent {message.ContentCase} for '{key}', which nobody waits for");
        }
    }
}
