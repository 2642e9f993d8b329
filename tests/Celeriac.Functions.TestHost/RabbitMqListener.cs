using System.Globalization;
using System.Text;
using Celeriac.Functions.TestHost.Rpc;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Celeriac.Functions.TestHost;

/// <summary>
/// EMULATES the RabbitMQ extension's listener (Microsoft.Azure.WebJobs.Extensions.RabbitMQ 2.x, RabbitMQListener) for one
/// rabbitMQTrigger function, following its documented rules: the queue must exist (passive declare); QoS is host.json's
/// <c>extensions.rabbitMQ.prefetchCount</c> (default 30); deliveries are invoked one at a time (the client's default
/// dispatch concurrency of 1); a delivery is acked after the invocation succeeded; after a failed one the listener reads
/// <c>x-ms-rabbitmq-requeuecount</c>, adds 1, and at 5 or more rejects the message without requeue, otherwise
/// republishes a copy with the new count to the default exchange (routing key = the queue) and acks the original.
/// The body goes to the trigger parameter (bytes for dataType Binary, text otherwise) and the binding data is what the
/// host sends: ConsumerTag, DeliveryTag, Redelivered, Exchange, RoutingKey, BasicProperties, Body.
/// Not emulated: drain mode, the extension's connection recovery, scaling.
/// </summary>
internal sealed class RabbitMqListener : IAsyncDisposable
{
    public const string RequeueCountHeader = "x-ms-rabbitmq-requeuecount";
    private const int MaxAttempts = 5;

    private readonly FunctionsTestHost _host;
    private readonly LoadedFunction _function;
    private readonly string _queue;
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly CancellationTokenSource _stopping = new();

    private RabbitMqListener(FunctionsTestHost host, LoadedFunction function, string queue, IConnection connection, IChannel channel)
    {
        _host = host;
        _function = function;
        _queue = queue;
        _connection = connection;
        _channel = channel;
    }

    public static async Task<RabbitMqListener> StartAsync(FunctionsTestHost host, LoadedFunction function, CancellationToken cancellationToken)
    {
        var trigger = function.Trigger;
        var settings = host.Options.AppSettings;
        var queue = Resolve((string)trigger["queueName"]!, settings);
        var setting = (string?)trigger["connectionStringSetting"] ?? "";
        var url = settings.TryGetValue(setting, out var value) ? value : throw new InvalidOperationException(
            $"{function.Name}: the connection setting '{setting}' is not among the app settings.");

        var factory = new ConnectionFactory { Uri = new Uri(url), ConsumerDispatchConcurrency = 1, ClientProvidedName = $"functions-test-host:{function.Name}" };
        var connection = await factory.CreateConnectionAsync(cancellationToken);
        try
        {
            var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            // As the extension does at startup: a missing queue is an error, never created here.
            await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
            await channel.BasicQosAsync(0, PrefetchCount(host.Options.AppDirectory), global: false, cancellationToken);
            var listener = new RabbitMqListener(host, function, queue, connection, channel);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, e) => listener.OnDeliveryAsync(e);
            await channel.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken);
            host.Options.Log($"test host: emulated RabbitMQ listener consuming '{queue}' for {function.Name}");
            return listener;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await _channel.CloseAsync();
            await _connection.CloseAsync();
        }
        catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.AlreadyClosedException or IOException or OperationCanceledException)
        {
            // The broker went first.
        }

        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task OnDeliveryAsync(BasicDeliverEventArgs e)
    {
        var body = e.Body.ToArray();
        InvocationResult result;
        try
        {
            result = await _host.InvokeAsync(_function.Name, [Input(body)], BindingData(e, body.Length), cancellationToken: _stopping.Token);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
            // The worker is gone or the host stops: nothing settled, so the broker redelivers it (Redelivered=true).
            _host.Options.Log($"test host: {_function.Name} not invoked: {ex.Message}");
            return;
        }

        // Tests time a terminate by this line: the invocation of the message (Celery's correlation id is the task id) is over.
        _host.Options.Log($"test host: {_function.Name} invocation for {e.BasicProperties.CorrelationId} {(result.Succeeded ? "returned" : "failed")}");
        if (result.Succeeded)
        {
            await _channel.BasicAckAsync(e.DeliveryTag, multiple: false);
            return;
        }

        var count = RequeueCount(e.BasicProperties.Headers) + 1;
        if (count >= MaxAttempts)
        {
            _host.Options.Log($"test host: {_function.Name} failed {count} times; rejecting the message: {result.Error}");
            await _channel.BasicRejectAsync(e.DeliveryTag, requeue: false);
            return;
        }

        _host.Options.Log($"test host: {_function.Name} failed (attempt {count}); republishing: {result.Error}");
        var properties = new BasicProperties(e.BasicProperties)
        {
            Headers = new Dictionary<string, object?>(e.BasicProperties.Headers ?? new Dictionary<string, object?>()) { [RequeueCountHeader] = count },
        };
        await _channel.BasicPublishAsync("", _queue, mandatory: false, properties, body);
        await _channel.BasicAckAsync(e.DeliveryTag, multiple: false);
    }

    private ParameterBinding Input(byte[] body) => new()
    {
        Name = (string)_function.Trigger["name"]!,
        Data = (string?)_function.Trigger["dataType"] == "Binary"
            ? new TypedData { Bytes = FunctionsTestHost.Bytes(body) }
            : new TypedData { String = Encoding.UTF8.GetString(body) },
    };

    private static Dictionary<string, TypedData> BindingData(BasicDeliverEventArgs e, int bodyLength) => new(StringComparer.Ordinal)
    {
        ["ConsumerTag"] = new() { String = e.ConsumerTag },
        ["DeliveryTag"] = new() { Json = e.DeliveryTag.ToString(CultureInfo.InvariantCulture) },
        ["Redelivered"] = new() { Json = e.Redelivered ? "true" : "false" },
        ["Exchange"] = new() { String = e.Exchange },
        ["RoutingKey"] = new() { String = e.RoutingKey },
        ["BasicProperties"] = new() { Json = BasicPropertiesJson.Write(e.BasicProperties) },
        // What Json.NET makes of a ReadOnlyMemory<byte>: useless, as the real host sends it.
        ["Body"] = new() { Json = $"{{\"Length\":{bodyLength},\"IsEmpty\":{(bodyLength == 0 ? "true" : "false")}}}" },
    };

    private static int RequeueCount(IDictionary<string, object?>? headers) =>
        headers is not null && headers.TryGetValue(RequeueCountHeader, out var value) && value is not null
            ? Convert.ToInt32(value, CultureInfo.InvariantCulture)
            : 0;

    private static ushort PrefetchCount(string appDirectory)
    {
        var hostJson = FunctionsTestHost.ReadHostJson(appDirectory);
        return hostJson.TryGetProperty("extensions", out var extensions) && extensions.TryGetProperty("rabbitMQ", out var rabbit)
            && rabbit.TryGetProperty("prefetchCount", out var prefetch) && prefetch.TryGetUInt16(out var count)
                ? count
                : (ushort)30;
    }

    // %Setting% names an app setting, as in the host's binding expressions.
    private static string Resolve(string value, IReadOnlyDictionary<string, string> settings) =>
        value is ['%', .. var name, '%'] && settings.TryGetValue(name, out var resolved) ? resolved : value;
}
