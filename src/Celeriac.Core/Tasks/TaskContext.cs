using System.Text.Json;
using Celeriac.Core.Protocol;

namespace Celeriac.Core.Tasks;

/// <summary>
/// What a running task can know about its own invocation: id, retries, the raw arguments. Declare a
/// parameter of this type to receive it. (To accept any number of arguments, Python's <c>*args, **kwargs</c>,
/// declare a <see cref="TaskArguments"/> parameter.)
/// </summary>
public sealed class TaskContext
{
    internal TaskContext(TaskMessage message, string hostname, bool redelivered, CancellationToken cancellationToken)
    {
        Message = message;
        Hostname = hostname;
        Redelivered = redelivered;
        CancellationToken = cancellationToken;
    }

    /// <summary>The decoded message.</summary>
    public TaskMessage Message { get; }

    /// <summary>The task id.</summary>
    public string Id => Message.Id;

    /// <summary>The task name.</summary>
    public string Name => Message.Name;

    /// <summary>How many times this task was retried before.</summary>
    public int Retries => Message.Retries;

    /// <summary>All positional arguments (a JSON array).</summary>
    public JsonElement Args => Message.Args;

    /// <summary>All keyword arguments (a JSON object).</summary>
    public JsonElement Kwargs => Message.Kwargs;

    /// <summary>The worker's node name.</summary>
    public string Hostname { get; }

    /// <summary>True when the broker delivered this message before (a worker stopped or crashed while holding it).</summary>
    public bool Redelivered { get; }

    /// <summary>Signalled when the task is revoked with terminate or exceeds a time limit.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>
    /// Retries the task (Celery's <c>self.retry</c>): always throws a <see cref="TaskRetryException"/>, which the worker
    /// turns into a retry; write <c>throw context.Retry(...)</c> so the compiler knows the code stops here. The task
    /// is published again with the same id and one more retry, to run after <paramref name="countdown"/> or at
    /// <paramref name="eta"/> (else after the task's <see cref="RetryPolicy.DefaultRetryDelay"/>). Past the maximum
    /// the task fails with <paramref name="exception"/>, or with <c>MaxRetriesExceededError</c> when it is null.
    /// </summary>
    /// <param name="exception">The reason: reported with RETRY, and the failure once no retry is left.</param>
    /// <param name="countdown">Run again after this long.</param>
    /// <param name="eta">Run again at this time (wins over <paramref name="countdown"/>).</param>
    /// <param name="maxRetries">The maximum for this retry instead of the task's <see cref="RetryPolicy.MaxRetries"/>.</param>
    /// <returns>Never returns.</returns>
    public TaskRetryException Retry(Exception? exception = null, TimeSpan? countdown = null, DateTimeOffset? eta = null, int? maxRetries = null) =>
        throw new TaskRetryException(exception, countdown, eta, maxRetries);
}
