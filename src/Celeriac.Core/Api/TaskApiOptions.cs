namespace Celeriac.Core.Api;

/// <summary>Settings of the HTTP API.</summary>
public sealed class TaskApiOptions
{
    /// <summary>The queue tasks are sent to.</summary>
    public string Queue { get; set; } = "celery";

    /// <summary>The largest request body accepted (413 above it). Default 1 MiB.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>The <c>Retry-After</c> sent with 202 answers, in seconds.</summary>
    public int RetryAfterSeconds { get; set; } = 1;
}
