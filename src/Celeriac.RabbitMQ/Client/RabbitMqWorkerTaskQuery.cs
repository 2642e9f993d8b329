using System.Text.Json;
using Celeriac.Core.Control;

namespace Celeriac.RabbitMQ.Client;

/// <summary>The workers' registered tasks, by the <c>registered</c> broadcast that <c>celery inspect registered</c> sends.</summary>
internal sealed class RabbitMqWorkerTaskQuery(CeleryControl control) : IWorkerTaskQuery
{
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> GetRegisteredAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var replies = await control.InspectAsync("registered", timeout, cancellationToken);
        var names = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (node, reply) in replies)
        {
            names[node] = reply.ValueKind == JsonValueKind.Array
                ? reply.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => NameOf(e.GetString()!)).Where(n => n.Length > 0).ToArray()
                : [];
        }

        return names;
    }

    // Both Celery and Celeriac may follow a name with its settings: "tasks.add [rate_limit=10/m]".
    private static string NameOf(string entry)
    {
        var space = entry.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? entry : entry[..space];
    }
}
