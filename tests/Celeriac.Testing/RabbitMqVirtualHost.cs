using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Celeriac.Testing;

/// <summary>
/// A fresh virtual host on the test node, so every test class has its own <c>celery</c> queue, exchanges and
/// pidbox, and tests can run in parallel without seeing each other's messages. Deleted on dispose.
/// </summary>
public sealed class RabbitMqVirtualHost : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _brokerUrl;

    private RabbitMqVirtualHost(string name, HttpClient http, Uri brokerUrl)
    {
        Name = name;
        _http = http;
        _brokerUrl = brokerUrl;
    }

    /// <summary>The vhost name.</summary>
    public string Name { get; }

    /// <summary>The AMQP URL of this vhost, for Celeriac.</summary>
    public string AmqpUrl => new UriBuilder(_brokerUrl) { Path = "/" + Uri.EscapeDataString(Name) }.Uri.ToString();

    /// <summary>The same URL as Python Celery writes it.</summary>
    public string PyAmqpUrl
    {
        get
        {
            var broker = _brokerUrl;
            return $"pyamqp://{broker.UserInfo}@{broker.Host}:{broker.Port}/{Name}";
        }
    }

    /// <summary>Creates a uniquely named vhost on the test node and grants guest full rights on it.</summary>
    public static Task<RabbitMqVirtualHost> CreateAsync(string prefix = "test") =>
        CreateAsync(prefix, TestEnvironment.BrokerUrl, TestEnvironment.ManagementUrl);

    /// <summary>Creates a uniquely named vhost on another node (e.g. a <see cref="PrivateRabbitMqNode"/>) and grants its user full rights on it.</summary>
    public static async Task<RabbitMqVirtualHost> CreateAsync(string prefix, Uri brokerUrl, Uri managementUrl)
    {
        ArgumentNullException.ThrowIfNull(brokerUrl);
        var http = new HttpClient { BaseAddress = managementUrl, Timeout = TimeSpan.FromSeconds(30) };
        var user = brokerUrl.UserInfo.Split(':');
        http.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.UnescapeDataString(user[0])}:{Uri.UnescapeDataString(user[1])}")));
        var name = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 64)];
        (await http.PutAsync($"api/vhosts/{Uri.EscapeDataString(name)}", null)).EnsureSuccessStatusCode();
        (await http.PutAsJsonAsync($"api/permissions/{Uri.EscapeDataString(name)}/{Uri.EscapeDataString(user[0])}",
            new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        return new RabbitMqVirtualHost(name, http, brokerUrl);
    }

    /// <summary>A queue's details from the management API (messages, arguments, durable, ...); null if it does not exist.</summary>
    public async Task<JsonElement?> GetQueueAsync(string queue)
    {
        using var response = await _http.GetAsync($"api/queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>
    /// Up to <paramref name="count"/> messages at the head of a queue, read and put back (the management API's
    /// "get messages" with requeue): each has <c>payload</c>, <c>properties</c> (headers, ...) and more. Unlike the
    /// queue's message count, which the broker refreshes every few seconds, this shows the queue as it is now.
    /// An empty list when the queue does not exist.
    /// </summary>
    public async Task<IReadOnlyList<JsonElement>> PeekMessagesAsync(string queue, int count = 10)
    {
        using var response = await _http.PostAsJsonAsync($"api/queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}/get",
            new { count, ackmode = "ack_requeue_true", encoding = "auto", truncate = 50_000 });
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return [];
        }

        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToArray();
    }

    /// <summary>An exchange's details from the management API; null if it does not exist.</summary>
    public async Task<JsonElement?> GetExchangeAsync(string exchange)
    {
        using var response = await _http.GetAsync($"api/exchanges/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(exchange)}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Every queue of this vhost with its details from the management API.</summary>
    public async Task<JsonElement> GetQueuesAsync()
    {
        using var response = await _http.GetAsync($"api/queues/{Uri.EscapeDataString(Name)}");
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The bindings from an exchange to a queue (routing keys, arguments) from the management API; empty if there are none.</summary>
    public async Task<JsonElement> GetBindingsAsync(string exchange, string queue)
    {
        using var response = await _http.GetAsync(
            $"api/bindings/{Uri.EscapeDataString(Name)}/e/{Uri.EscapeDataString(exchange)}/q/{Uri.EscapeDataString(queue)}");
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>
    /// Every channel open on this vhost with its details from the management API (<c>global_prefetch_count</c>,
    /// <c>prefetch_count</c>, <c>consumer_count</c>, ...). Sampled every few seconds by the broker, as queue counts are.
    /// </summary>
    public async Task<JsonElement> GetChannelsAsync()
    {
        using var response = await _http.GetAsync($"api/vhosts/{Uri.EscapeDataString(Name)}/channels");
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>
    /// Sets a policy on this vhost (the management API's <c>PUT /api/policies</c>): <paramref name="definition"/> (e.g.
    /// <c>message-ttl</c>) applies to the queues whose names match <paramref name="pattern"/>. Where a queue's own
    /// argument says otherwise, RabbitMQ takes the lower value (for a TTL, the shorter one).
    /// </summary>
    public async Task SetQueuePolicyAsync(string name, string pattern, IReadOnlyDictionary<string, object> definition)
    {
        using var response = await _http.PutAsJsonAsync($"api/policies/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(name)}",
            new Dictionary<string, object> { ["pattern"] = pattern, ["definition"] = definition, ["apply-to"] = "queues" });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// A queue's message counts from the management API: ready, unacknowledged and consumers. The broker refreshes
    /// these statistics every few seconds, so wait for a condition on them rather than read them once.
    /// </summary>
    public async Task<QueueCounts?> GetQueueCountsAsync(string queue)
    {
        if (await GetQueueAsync(queue) is not { } details)
        {
            return null;
        }

        return new QueueCounts(Count(details, "messages_ready"), Count(details, "messages_unacknowledged"), Count(details, "consumers"));

        static long Count(JsonElement details, string name) =>
            details.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _http.DeleteAsync($"api/vhosts/{Uri.EscapeDataString(Name)}");
        }
        finally
        {
            _http.Dispose();
        }
    }
}
