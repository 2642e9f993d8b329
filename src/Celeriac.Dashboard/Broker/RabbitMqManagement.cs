using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Celeriac.RabbitMQ;
using Celeriac.RabbitMQ.Topology;
using Microsoft.Extensions.Options;

namespace Celeriac.Dashboard.Broker;

/// <summary>
/// RabbitMQ's management API, for what AMQP cannot tell: every queue's length (the tasks waiting, which no event
/// announces) and a look at parked messages in <c>&lt;queue&gt;_error</c> queues.
/// </summary>
internal sealed class RabbitMqManagement : IDisposable
{
    /// <summary>The suffix of the queues the worker parks messages it cannot run in.</summary>
    public const string ParkedSuffix = CeleryTopology.ParkingSuffix;

    private const int MaxPeek = 50;

    private readonly HttpClient _http;
    private readonly string _vhost;

    public RabbitMqManagement(IOptions<DashboardOptions> options, IOptions<RabbitMqOptions> broker)
    {
        var brokerUrl = new Uri(broker.Value.Url);
        var user = "guest";
        var password = "guest";
        if (brokerUrl.UserInfo.Length > 0)
        {
            var parts = brokerUrl.UserInfo.Split(':', 2);
            user = Uri.UnescapeDataString(parts[0]);
            password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
        }

        var path = brokerUrl.AbsolutePath.TrimStart('/');
        _vhost = path.Length == 0 ? "/" : Uri.UnescapeDataString(path);
        var baseAddress = options.Value.ManagementUrl
            ?? new UriBuilder(brokerUrl.Scheme == "amqps" ? Uri.UriSchemeHttps : Uri.UriSchemeHttp, brokerUrl.Host, 15672).Uri;
        if (options.Value.ManagementUrl is { UserInfo.Length: > 0 } given)
        {
            var parts = given.UserInfo.Split(':', 2);
            user = Uri.UnescapeDataString(parts[0]);
            password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
        }

        _http = new HttpClient { BaseAddress = new Uri(baseAddress.GetLeftPart(UriPartial.Authority) + "/"), Timeout = TimeSpan.FromSeconds(5) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
    }

    /// <summary>The management API's address, for messages.</summary>
    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>The vhost's queues that hold tasks (not the event, reply and pidbox queues), with their lengths.</summary>
    public async Task<IReadOnlyList<QueueView>> GetQueuesAsync(CancellationToken cancellationToken)
    {
        var queues = await _http.GetFromJsonAsync<JsonElement>(
            $"api/queues/{Uri.EscapeDataString(_vhost)}?columns=name,messages,messages_ready,messages_unacknowledged,consumers,durable", cancellationToken);
        var list = new List<QueueView>();
        foreach (var queue in queues.EnumerateArray())
        {
            var name = queue.GetProperty("name").GetString() ?? "";
            if (IsInfrastructure(name))
            {
                continue;
            }

            list.Add(new QueueView(name, Long(queue, "messages"), Long(queue, "messages_ready"), Long(queue, "messages_unacknowledged"),
                Long(queue, "consumers"), name.EndsWith(ParkedSuffix, StringComparison.Ordinal)));
        }

        return list.OrderBy(q => q.Parked).ThenBy(q => q.Name, StringComparer.Ordinal).ToArray();
    }

    /// <summary>
    /// The first <paramref name="count"/> messages of a parked queue, left in it: fetched with <c>ack_requeue_true</c>,
    /// so they go back (redelivered set), which a parking lot nobody consumes does not mind. Only parked queues: a
    /// peek at a live task queue would reorder its tasks.
    /// </summary>
    public async Task<IReadOnlyList<ParkedMessageView>> PeekParkedAsync(string queue, int count, CancellationToken cancellationToken)
    {
        if (!queue.EndsWith(ParkedSuffix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{queue}' is not a parked queue (<queue>{ParkedSuffix}).", nameof(queue));
        }

        using var response = await _http.PostAsJsonAsync($"api/queues/{Uri.EscapeDataString(_vhost)}/{Uri.EscapeDataString(queue)}/get",
            new { count = Math.Clamp(count, 1, MaxPeek), ackmode = "ack_requeue_true", encoding = "auto", truncate = 64 * 1024 }, cancellationToken);
        response.EnsureSuccessStatusCode();
        var messages = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return messages.EnumerateArray().Select(ParkedMessageView.From).ToArray();
    }

    public void Dispose() => _http.Dispose();

    private static bool IsInfrastructure(string name) =>
        name.StartsWith("celeryev.", StringComparison.Ordinal) || name.EndsWith(".pidbox", StringComparison.Ordinal)
        || name.StartsWith("amq.", StringComparison.Ordinal) || name.EndsWith(".reply.celery.pidbox", StringComparison.Ordinal)
        || Guid.TryParse(name, out _);

    private static long Long(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;
}

/// <summary>A queue and its length.</summary>
internal sealed record QueueView(string Name, long Messages, long Ready, long Unacknowledged, long Consumers, bool Parked);
