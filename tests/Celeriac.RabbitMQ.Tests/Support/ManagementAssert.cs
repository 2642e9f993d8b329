using System.Text.Json;
using Celeriac.Testing;

namespace Celeriac.RabbitMQ.Tests.Support;

/// <summary>Assertions on what the management API reports about queues and exchanges.</summary>
public static class ManagementAssert
{
    /// <summary>Waits for a queue to exist and returns its details.</summary>
    public static async Task<JsonElement> QueueExistsAsync(RabbitMqVirtualHost virtualHost, string queue)
    {
        ArgumentNullException.ThrowIfNull(virtualHost);
        JsonElement? details = null;
        await Eventually.WaitAsync(async () => (details = await virtualHost.GetQueueAsync(queue)) is not null, TestTimeouts.Short,
            $"the queue '{queue}' to exist in vhost {virtualHost.Name}");
        return details!.Value;
    }

    /// <summary>Waits for an exchange to exist and returns its details.</summary>
    public static async Task<JsonElement> ExchangeExistsAsync(RabbitMqVirtualHost virtualHost, string exchange)
    {
        ArgumentNullException.ThrowIfNull(virtualHost);
        JsonElement? details = null;
        await Eventually.WaitAsync(async () => (details = await virtualHost.GetExchangeAsync(exchange)) is not null, TestTimeouts.Short,
            $"the exchange '{exchange}' to exist in vhost {virtualHost.Name}");
        return details!.Value;
    }

    /// <summary>Asserts properties (durable, auto_delete, type, ...) have exactly the given JSON values.</summary>
    public static void Has(JsonElement entity, string what, params (string Name, object Expected)[] expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        foreach (var (name, value) in expected)
        {
            Assert.True(entity.TryGetProperty(name, out var actual), $"{what}: the management API reports no '{name}'. Details: {entity}");
            var wanted = JsonSerializer.Serialize(value);
            Assert.True(wanted == actual.GetRawText(), $"{what}: expected {name} = {wanted}, the broker has {actual.GetRawText()}.");
        }
    }

    /// <summary>Asserts the declare arguments are exactly these (no more, no fewer, same values).</summary>
    public static void HasArguments(JsonElement entity, string what, IReadOnlyDictionary<string, object> expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var arguments = entity.GetProperty("arguments");
        var actual = arguments.ValueKind == JsonValueKind.Object
            ? arguments.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText())
            : [];
        var wanted = expected.ToDictionary(p => p.Key, p => JsonSerializer.Serialize(p.Value));
        Assert.True(wanted.Count == actual.Count && wanted.All(p => actual.TryGetValue(p.Key, out var v) && v == p.Value),
            $"{what}: expected arguments {Format(wanted)}, the broker has {Format(actual)}.");
    }

    private static string Format(Dictionary<string, string> arguments) =>
        "{" + string.Join(", ", arguments.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}")) + "}";
}
