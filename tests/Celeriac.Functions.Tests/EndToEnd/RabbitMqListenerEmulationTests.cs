using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Celeriac.Core.Protocol;
using Celeriac.DurableTask.Testing;
using Celeriac.Functions.TestHost;
using Celeriac.Functions.Tests.Support;
using Celeriac.Server.Tests.Support;
using Celeriac.Testing;
using RabbitMQ.Client;

namespace Celeriac.Functions.Tests.EndToEnd;

/// <summary>
/// The test host's emulation of the RabbitMQ extension's listener, on the real broker with the real worker: an
/// invocation that fails (the record store unreachable, so ExecuteTask throws) is republished with
/// <c>x-ms-rabbitmq-requeuecount</c> + 1 and, at 5, rejected without requeue, which dead-letters it where the queue has
/// a dead-letter exchange (here through a policy, so the queue keeps Celery's own arguments); a success is acked.
/// Its own app and vhost: the store is cut off for this app only. In the app collection, so the stacks take turns.
/// </summary>
[Collection(FunctionsAppCollection.Name)]
public sealed class RabbitMqListenerEmulationTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string DeadLetterQueue = "celery.dead";

    private readonly ConcurrentQueue<string> _lines = new();
    private RabbitMqVirtualHost _vhost = null!;
    private FunctionsStack? _stack;
    private volatile bool _storeUnreachable;

    public async Task InitializeAsync()
    {
        _vhost = await RabbitMqVirtualHost.CreateAsync("functions-listener");
        await FunctionsAppFixture.DeclareQueuesAsync(_vhost.AmqpUrl);
        await DeadLetterCeleryQueueAsync();
        var unreachable = UnreachablePayload();
        _stack = await FunctionsStack.StartAsync(new FunctionsTestHostOptions
        {
            AppDirectory = FunctionsApp.Directory,
            AppDll = FunctionsApp.Dll,
            AppSettings = new Dictionary<string, string> { ["RabbitMQConnection"] = _vhost.AmqpUrl },
            // Every [DurableClient] binding gets this: while the store is cut off, a client of an endpoint nobody listens on.
            DurableClientPayload = () => _storeUnreachable ? unreachable(_stack!.Durable.DurableClientPayload) : _stack!.Durable.DurableClientPayload,
            Log = line =>
            {
                _lines.Enqueue(line);
                try
                {
                    output.WriteLine(line);
                }
                catch (InvalidOperationException)
                {
                    // The test is over.
                }
            },
        }, AzuriteEnvironment.ConnectionString, DurableExtensionHost.NewHubName());
    }

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }

        await _vhost.DisposeAsync();
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Listener_InvocationFailsThenSucceeds_RepublishesWithTheCountRejectsAtFiveAndAcksTheSuccess()
    {
        _storeUnreachable = true;
        var failing = await PublishAddAsync();

        // Five attempts: four republished copies (count 1..4), then a reject without requeue, which dead-letters the last copy.
        var deadLettered = await WaitForDeadLetterAsync(TimeSpan.FromSeconds(75));
        Assert.Equal(failing, deadLettered.GetProperty("properties").GetProperty("correlation_id").GetString());
        var headers = deadLettered.GetProperty("properties").GetProperty("headers");
        Assert.Equal(4, headers.GetProperty(RabbitMqListener.RequeueCountHeader).GetInt32());
        var death = headers.GetProperty("x-death")[0];
        Assert.Equal(("rejected", "celery", 1), (death.GetProperty("reason").GetString(), death.GetProperty("queue").GetString(), death.GetProperty("count").GetInt32()));
        Assert.Equal(["attempt 1", "attempt 2", "attempt 3", "attempt 4", "5 times"], _lines
            .Where(l => l.StartsWith("test host: ExecuteTask failed", StringComparison.Ordinal) && l.Contains(failing, StringComparison.Ordinal))
            .Select(l => l.Contains("rejecting", StringComparison.Ordinal) ? "5 times" : l[(l.IndexOf("(attempt", StringComparison.Ordinal) + 1)..l.IndexOf(')', StringComparison.Ordinal)]));
        await Eventually.WaitAsync(async () => await _vhost.GetQueueCountsAsync("celery") is { Ready: 0, Unacknowledged: 0 }, TestTimeouts.Long,
            "nothing left on the celery queue after the reject");

        // The store is back: the next delivery's invocation succeeds and the listener acks it, once.
        _storeUnreachable = false;
        var succeeding = await PublishAddAsync();
        using var http = new HttpClient { BaseAddress = _stack!.Functions.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };
        Assert.Equal("SUCCESS", (await new TaskApiClient(http).WaitForFinalAsync(succeeding, TestTimeouts.Long)).State);
        await Eventually.WaitAsync(async () => await _vhost.GetQueueCountsAsync("celery") is { Ready: 0, Unacknowledged: 0 }, TestTimeouts.Long,
            "the successful delivery to be acked");
        Assert.DoesNotContain(_lines, l => l.StartsWith("test host: ExecuteTask failed", StringComparison.Ordinal) && l.Contains(succeeding, StringComparison.Ordinal));
        Assert.Single(await _vhost.PeekMessagesAsync(DeadLetterQueue));
    }

    // A Celery client's message for tasks.add(2, 3), published to the celery queue as Celery publishes it.
    private async Task<string> PublishAddAsync()
    {
        var task = new TaskMessage { Id = Guid.NewGuid().ToString(), Name = "tasks.add", Args = JsonDocument.Parse("[2, 3]").RootElement.Clone() };
        var message = TaskMessageCodec.Encode(task);
        var factory = new ConnectionFactory { Uri = new Uri(_vhost.AmqpUrl) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var properties = new BasicProperties
        {
            ContentType = message.ContentType,
            ContentEncoding = message.ContentEncoding,
            CorrelationId = message.CorrelationId,
            DeliveryMode = DeliveryModes.Persistent,
            Headers = message.Headers.ToDictionary(h => h.Key, h => h.Value),
        };
        await channel.BasicPublishAsync("", "celery", mandatory: true, properties, message.Body);
        return task.Id;
    }

    // A policy, not a queue argument: the celery queue stays as Celery declares it (a redeclare with other arguments fails).
    private async Task DeadLetterCeleryQueueAsync()
    {
        var factory = new ConnectionFactory { Uri = new Uri(_vhost.AmqpUrl) };
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.QueueDeclareAsync(DeadLetterQueue, durable: true, exclusive: false, autoDelete: false);
        }

        using var management = new HttpClient { BaseAddress = TestEnvironment.ManagementUrl };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("guest:guest")));
        using var response = await management.PutAsJsonAsync($"api/policies/{Uri.EscapeDataString(_vhost.Name)}/celery-dead-letter", new Dictionary<string, object>
        {
            ["pattern"] = "^celery$",
            ["definition"] = new Dictionary<string, string> { ["dead-letter-exchange"] = "", ["dead-letter-routing-key"] = DeadLetterQueue },
            ["apply-to"] = "queues",
        });
        Assert.True(response.IsSuccessStatusCode, $"the dead-letter policy was refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        // Policies apply asynchronously: wait until the queue reports it.
        await Eventually.WaitAsync(async () => await _vhost.GetQueueAsync("celery") is { } queue && queue.TryGetProperty("policy", out var policy)
            && policy.GetString() == "celery-dead-letter", TestTimeouts.Short, "the celery queue to carry the dead-letter policy");
    }

    private async Task<JsonElement> WaitForDeadLetterAsync(TimeSpan timeout)
    {
        // Peeked, not counted: the broker refreshes queue counts only every few seconds.
        await Eventually.WaitAsync(async () => (await _vhost.PeekMessagesAsync(DeadLetterQueue)).Count == 1, timeout, $"the rejected message in {DeadLetterQueue}");
        return Assert.Single(await _vhost.PeekMessagesAsync(DeadLetterQueue));
    }

    // The extension's payload with its gRPC endpoint moved to a loopback port nobody listens on.
    private static Func<string, string> UnreachablePayload()
    {
        var port = FreeTcpPort.Next();
        return payload =>
        {
            var json = JsonNode.Parse(payload)!.AsObject();
            json["rpcBaseUrl"] = $"http://127.0.0.1:{port}/";
            return json.ToJsonString();
        };
    }
}
