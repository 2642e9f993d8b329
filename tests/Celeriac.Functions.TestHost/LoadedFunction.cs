using System.Text.Json.Nodes;

namespace Celeriac.Functions.TestHost;

/// <summary>A function the worker indexed and loaded, with the raw bindings it reported.</summary>
public sealed record LoadedFunction(string Name, string FunctionId, IReadOnlyList<JsonObject> Bindings)
{
    /// <summary>The trigger binding.</summary>
    public JsonObject Trigger => Bindings.Single(b => ((string?)b["type"])?.EndsWith("Trigger", StringComparison.Ordinal) == true);

    /// <summary>The trigger's type (<c>httpTrigger</c>, <c>rabbitMQTrigger</c>, <c>entityTrigger</c>).</summary>
    public string TriggerType => (string)Trigger["type"]!;

    /// <summary>The bindings of a type (<c>durableClient</c>, say).</summary>
    public IEnumerable<JsonObject> BindingsOfType(string type) => Bindings.Where(b => (string?)b["type"] == type);
}
