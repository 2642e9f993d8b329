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
}
