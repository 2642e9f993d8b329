using System.Text.Json;

namespace Celeriac.Core.Tasks;

/// <summary>
/// The arguments no other parameter took, like Python's <c>*args, **kwargs</c>. Declare one parameter of
/// this type to accept any number of positional and keyword arguments:
/// <c>builder.AddTask("tasks.echo", (TaskArguments rest) => rest.Positional)</c>.
/// </summary>
/// <param name="Positional">The remaining positional arguments, a JSON array.</param>
/// <param name="Keyword">The remaining keyword arguments, a JSON object.</param>
public sealed record TaskArguments(JsonElement Positional, JsonElement Keyword);
