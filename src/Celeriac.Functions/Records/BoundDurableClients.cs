using Microsoft.DurableTask.Client;

namespace Celeriac.Functions.Records;

/// <summary>
/// The <see cref="IDurableTaskClientProvider"/> the record store asks for, fed by the functions' <c>[DurableClient]</c>
/// bindings: in a Functions app only a binding knows where the Durable extension listens (its payload names the host's
/// gRPC endpoint), so every function that touches records binds a client and hands it in before it calls the core.
/// The worker's Durable extension caches one client per endpoint and task hub, so the client handed in stays usable
/// after its invocation ends.
/// </summary>
internal sealed class BoundDurableClients : IDurableTaskClientProvider
{
    private readonly TaskCompletionSource _bound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile DurableTaskClient? _client;

    /// <summary>True once a binding handed in a client.</summary>
    public bool IsBound => _client is not null;

    /// <summary>Keeps <paramref name="client"/> (the newest binding's) for the store.</summary>
    public void Use(DurableTaskClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _bound.TrySetResult();
    }

    /// <summary>Completes once a binding handed in a client (for background work that starts before any function ran).</summary>
    public Task WhenBoundAsync(CancellationToken cancellationToken) => _bound.Task.WaitAsync(cancellationToken);

    public DurableTaskClient GetClient(string? name = null) => _client
        ?? throw new InvalidOperationException("No [DurableClient] binding has handed in a client yet; the record store is used before any function ran.");
}
