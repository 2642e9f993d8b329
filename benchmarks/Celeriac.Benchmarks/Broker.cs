using System.Net.Http.Headers;
using System.Text;
using RabbitMQ.Client;

namespace Celeriac.Benchmarks;

/// <summary>The benchmark's private RabbitMQ node: a fresh virtual host per run, raw publishing and counting.</summary>
internal sealed class Broker(int amqpPort, int managementPort) : IDisposable
{
    private readonly HttpClient _http = new()
    {
        BaseAddress = new Uri($"http://127.0.0.1:{managementPort}/api/"),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray())) },
    };

    private int? _processId;

    public int AmqpPort { get; } = amqpPort;

    /// <summary>The node's operating-system process (its <c>os_pid</c>), to measure the broker's own CPU per task.</summary>
    public int ProcessId => _processId ??= ReadProcessId();

    public string Url(string vhost) => $"amqp://guest:guest@127.0.0.1:{AmqpPort}/{Uri.EscapeDataString(vhost)}";

    public async Task CreateVhostAsync(string vhost)
    {
        var name = Uri.EscapeDataString(vhost);
        (await _http.PutAsync($"vhosts/{name}", null)).EnsureSuccessStatusCode();
        var permissions = new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json");
        (await _http.PutAsync($"permissions/{name}/guest", permissions)).EnsureSuccessStatusCode();
    }

    // The management API lists a node's os_pid once it has collected the node's first statistics, a few seconds after
    // the node started: asked sooner (a run whose first worker is a quick one), it is not there yet.
    private int ReadProcessId()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using var nodes = System.Text.Json.JsonDocument.Parse(_http.GetStringAsync("nodes").GetAwaiter().GetResult());
            if (nodes.RootElement[0].TryGetProperty("os_pid", out var pid))
            {
                return int.Parse(pid.GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The broker's management API did not report the node's os_pid within 60 s.");
            }

            Thread.Sleep(200);
        }
    }

    public async Task DeleteVhostAsync(string vhost) => await _http.DeleteAsync($"vhosts/{Uri.EscapeDataString(vhost)}");

    public async Task<IConnection> ConnectAsync(string vhost, string name)
    {
        var factory = new ConnectionFactory { Uri = new Uri(Url(vhost)), ClientProvidedName = name };
        return await factory.CreateConnectionAsync();
    }

    /// <summary>
    /// Declares what a drain run needs besides the task queue: a plain result queue and a queue bound to every
    /// task event, so events are really stored (as they would be for a monitor) without a consumer to slow them.
    /// </summary>
    public static async Task DeclareSinksAsync(IChannel channel, string resultQueue)
    {
        await channel.QueueDeclareAsync(resultQueue, durable: false, exclusive: false, autoDelete: false);
        await channel.ExchangeDeclareAsync("celeryev", ExchangeType.Topic, durable: true, autoDelete: false);
        await channel.QueueDeclareAsync("bench.events", durable: false, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync("bench.events", "celeryev", "task.#");
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A message as the producer sent it, to publish again byte for byte into another virtual host.</summary>
internal sealed record CapturedMessage(ReadOnlyMemory<byte> Body, IReadOnlyBasicProperties Properties)
{
    public BasicProperties ToProperties() => new(Properties);
}
