namespace Celeriac.AspNetCore.Api;

/// <summary>Settings of the HTTP API.</summary>
public sealed class TaskApiOptions
{
    /// <summary>The queue tasks are sent to.</summary>
    public string Queue { get; set; } = "celery";

    /// <summary>The largest request body accepted (413 above it). Default 1 MiB.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>The <c>Retry-After</c> sent with 202 answers, in seconds.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>
    /// The accepted API keys. With none the API is open (and the server binds to loopback by default); with some,
    /// every request must send one in <c>x-functions-key</c> (as Azure Functions expects) or as a bearer token.
    /// </summary>
    public IList<string> ApiKeys { get; } = [];
}
