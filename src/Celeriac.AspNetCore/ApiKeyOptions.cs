namespace Celeriac.AspNetCore;

/// <summary>API keys for the HTTP API. With none configured the API is open (and the server binds to loopback by default).</summary>
public sealed class ApiKeyOptions
{
    /// <summary>The accepted keys. A request must send one in <c>x-functions-key</c> (as Azure Functions expects) or as a bearer token.</summary>
    public IList<string> Keys { get; } = [];
}
