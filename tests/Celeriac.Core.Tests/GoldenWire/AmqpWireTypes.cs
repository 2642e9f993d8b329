using System.Text.Json;

namespace Celeriac.Core.Tests.GoldenWire;

/// <summary>
/// The AMQP field-table type each neutral header value goes on the wire as, the mapping the RabbitMQ
/// adapter uses (py-amqp's letters): string S, int I, long l, double d, bool t, null V, list A,
/// dictionary F (plus decimal D, time T, bytes x, which Celery never sends). Signatures nest:
/// <c>A(V,V)</c>, <c>F(hostname:S)</c>.
/// </summary>
public static class AmqpWireTypes
{
    /// <summary>The signature of a neutral header value.</summary>
    public static string Of(object? value) => value switch
    {
        null => "V",
        string => "S",
        bool => "t",
        int => "I",
        long => "l",
        double => "d",
        decimal => "D",
        DateTimeOffset => "T",
        byte[] => "x",
        IReadOnlyDictionary<string, object?> table => "F(" + string.Join(",", table.Select(p => $"{p.Key}:{Of(p.Value)}")) + ")",
        IEnumerable<object?> list => "A(" + string.Join(",", list.Select(Of)) + ")",
        _ => throw new ArgumentException($"{value.GetType().Name} is not in the neutral header model."),
    };

    /// <summary>The signature of a captured value, <c>{"S": "py"}</c> or <c>{"A": [{"V": null}]}</c>.</summary>
    public static string Of(JsonElement captured)
    {
        var typed = captured.EnumerateObject().Single();
        return typed.Name switch
        {
            "A" => "A(" + string.Join(",", typed.Value.EnumerateArray().Select(Of)) + ")",
            "F" => "F(" + string.Join(",", typed.Value.EnumerateObject().Select(p => $"{p.Name}:{Of(p.Value)}")) + ")",
            var letter => letter,
        };
    }

    /// <summary>Each header's signature, in order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Of(IReadOnlyDictionary<string, object?> headers) =>
        headers.Select(p => new KeyValuePair<string, string>(p.Key, Of(p.Value))).ToArray();
}
