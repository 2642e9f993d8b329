using System.Collections.Concurrent;
using Celeriac.RabbitMQ.Client;

namespace Celeriac.Faults.Tests.Support;

/// <summary>
/// A .NET <see cref="CeleryClient"/> that keeps sending <c>tasks.add(i, 2)</c> straight to the broker while a test breaks
/// things, and remembers which sends the broker confirmed: those tasks must not be lost.
/// </summary>
public sealed class ClientProducer : IAsyncDisposable
{
    private readonly CeleryClient _client;
    private readonly TimeSpan _pause;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, long> _confirmed = new(StringComparer.Ordinal);
    private readonly Task _loop;
    private int _refused;

    /// <summary>Starts sending at once, pausing <paramref name="pause"/> between sends.</summary>
    public ClientProducer(CeleryClient client, TimeSpan pause)
    {
        _client = client;
        _pause = pause;
        _loop = RunAsync();
    }

    /// <summary>The confirmed tasks with the value each must return.</summary>
    public IReadOnlyDictionary<string, long> Confirmed => new Dictionary<string, long>(_confirmed, StringComparer.Ordinal);

    /// <summary>How many sends failed (no confirm): the client may not count on those.</summary>
    public int Refused => _refused;

    /// <summary>Stops sending and waits for the send in flight.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        for (long i = 0; !_stop.IsCancellationRequested; i++)
        {
            try
            {
                using var timeout = new CancellationTokenSource(FaultTimeouts.Short);
                var sent = await _client.SendAsync("tasks.add", [i, 2], kwargs: null, options: null, timeout.Token);
                _confirmed[sent.Id] = i + 2;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Not confirmed: the broker was away. The client would retry; the test only counts it.
                Interlocked.Increment(ref _refused);
            }

            try
            {
                await Task.Delay(_pause, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
