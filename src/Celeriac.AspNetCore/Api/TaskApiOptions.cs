namespace Celeriac.AspNetCore.Api;

/// <summary>Settings of the HTTP API.</summary>
public sealed class TaskApiOptions
{
    /// <summary>The queue tasks are sent to.</summary>
    public string Queue { get; set; } = "celery";

    /// <summary>The largest request body accepted (413 above it). Default 1 MiB.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// The most JSON a listing (<c>GET /api/tasks</c>) answers with, in bytes: a page ends early, with a cursor to the rest,
    /// rather than pass it (it always holds at least one task). Default 4 MiB.
    /// </summary>
    public int MaxListBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// In a listing, arguments, keyword arguments, results and tracebacks longer than this (as JSON text, in bytes) are cut
    /// to a string with their start and named in the task's <c>truncated</c>; <c>GET /api/tasks/{id}</c> has them complete.
    /// Default 1024, Celery's <c>argsrepr</c> length.
    /// </summary>
    public int MaxListValueBytes { get; set; } = 1024;

    /// <summary>The <c>Retry-After</c> sent with 202 answers, in seconds.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>
    /// The accepted API keys. With none the API is open (and the server binds to loopback by default); with some,
    /// every request must send one in <c>x-functions-key</c> (as Azure Functions expects) or as a bearer token.
    /// </summary>
    public IList<string> ApiKeys { get; } = [];

    /// <summary>
    /// Origins (<c>https://app.example.com</c>) whose pages may call the API from a browser (CORS). None by default: no
    /// CORS headers are sent, so browsers refuse cross-origin calls. The dashboard never allows them, whatever this says.
    /// </summary>
    public IList<string> CorsOrigins { get; } = [];

    /// <summary>
    /// Names of tasks that workers elsewhere run (a Python Celery worker, a Celeriac worker with other tasks), accepted
    /// besides the tasks registered in this process: exact names (<c>shop.send_invoice</c>) or patterns with <c>*</c> and
    /// <c>?</c> (<c>shop.*</c>). Their arguments are not checked here; their worker checks them.
    /// </summary>
    public IList<string> Tasks { get; } = [];

    /// <summary>
    /// Whether the API also accepts every task the running workers registered, as their answers to the
    /// <c>registered</c> remote control command say (Celery's <c>inspect registered</c>). Default true.
    /// </summary>
    public bool DiscoverWorkerTasks { get; set; } = true;

    /// <summary>
    /// How long the workers' registered tasks are trusted before they are asked again; an unknown name asks at once
    /// (at most every 2 seconds). Default 30 seconds.
    /// </summary>
    public TimeSpan WorkerTasksRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);
}
