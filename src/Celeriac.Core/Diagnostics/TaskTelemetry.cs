using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using Celeriac.Core.Protocol;

namespace Celeriac.Core.Diagnostics;

/// <summary>
/// Celeriac's traces and metrics, under one name: the <see cref="ActivitySource"/> and the <see cref="Meter"/> are both
/// called <c>"Celeriac"</c> (<c>AddSource("Celeriac")</c>, <c>AddMeter("Celeriac")</c> with OpenTelemetry). A span per
/// task send (<c>apply_async/{task}</c>, producer) and per run (<c>run/{task}</c>, consumer), named as OpenTelemetry's
/// Celery instrumentation names them; the W3C trace context travels in the message's <c>traceparent</c> and
/// <c>tracestate</c> headers, where that instrumentation puts and looks for it, so one trace crosses Python and .NET.
/// </summary>
public static class TaskTelemetry
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "Celeriac";

    /// <summary>Tasks that finished on this worker, by <c>celery.task_name</c> and <c>celery.state</c> (SUCCESS, FAILURE, REVOKED, RETRY).</summary>
    public const string TasksFinished = "celeriac.tasks.finished";

    /// <summary>How long a task's code ran, in seconds, by <c>celery.task_name</c> and <c>celery.state</c>.</summary>
    public const string TaskRuntime = "celeriac.task.runtime";

    /// <summary>
    /// How long a task waited on this worker between its arrival (or its ETA, if later) and its start, in seconds, by
    /// <c>celery.task_name</c>: the time it spent in the worker's line for a slot. (Celery messages carry no send time,
    /// so the time a message sat in the broker's queue before it was delivered is not known.)
    /// </summary>
    public const string TaskQueueWait = "celeriac.task.queue_wait";

    /// <summary>Tasks running now, by <c>celery.task_name</c>.</summary>
    public const string TasksRunning = "celeriac.tasks.running";

    internal const string TaskNameTag = "celery.task_name";
    internal const string StateTag = "celery.state";

    private static readonly string? s_version = typeof(TaskTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    internal static ActivitySource Source { get; } = new(Name, s_version);

    internal static Meter Meter { get; } = new(Name, s_version);

    internal static Counter<long> Finished { get; } =
        Meter.CreateCounter<long>(TasksFinished, "{task}", "Tasks that finished on this worker, by task name and state.");

    internal static Histogram<double> Runtime { get; } = Meter.CreateHistogram<double>(TaskRuntime, "s", "How long a task's code ran.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] });

    internal static Histogram<double> QueueWait { get; } = Meter.CreateHistogram<double>(TaskQueueWait, "s",
        "How long a received task waited on the worker before it started.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900] });

    internal static UpDownCounter<long> Running { get; } = Meter.CreateUpDownCounter<long>(TasksRunning, "{task}", "Tasks running now.");

    /// <summary>
    /// Starts the span of a task send (for transports: call it just before publishing, dispose it once the broker
    /// confirmed) and returns the message with the trace context to send: the new span's, or the caller's current
    /// activity's when nobody listens to Celeriac's spans, so the trace still reaches the worker.
    /// </summary>
    public static Activity? StartSend(TaskMessage message, string queue, out TaskMessage traced)
    {
        ArgumentNullException.ThrowIfNull(message);
        var activity = Source.StartActivity($"apply_async/{message.Name}", ActivityKind.Producer);
        if (activity is not null)
        {
            activity.SetTag(TaskNameTag, message.Name);
            activity.SetTag("celery.action", "apply_async");
            activity.SetTag("messaging.system", "rabbitmq");
            activity.SetTag("messaging.operation.type", "send");
            activity.SetTag("messaging.destination.name", queue);
            activity.SetTag("messaging.message.id", message.Id);
        }

        var context = activity ?? Activity.Current;
        traced = context is null || context.IdFormat != ActivityIdFormat.W3C
            ? message
            : message with { TraceParent = context.Id, TraceState = context.TraceStateString };
        return activity;
    }

    /// <summary>
    /// Runs a task's code inside its <c>run/{task}</c> span (the current activity while the code runs, so what the task
    /// calls or sends joins the trace), a child of the sender's span when the message carries one; counts it running,
    /// and records how long it waited since <paramref name="receivedAt"/> (or its ETA).
    /// </summary>
    internal static async Task<T> RunAsync<T>(TaskMessage message, string hostname, DateTimeOffset receivedAt, DateTimeOffset now, Func<Task<T>> code)
    {
        var name = new KeyValuePair<string, object?>(TaskNameTag, message.Name);
        var waitedSince = message.Eta is { } eta && eta > receivedAt ? eta : receivedAt;
        QueueWait.Record(Math.Max(0, (now - waitedSince).TotalSeconds), name);
        ActivityContext.TryParse(message.TraceParent, message.TraceState, isRemote: true, out var parent);
        using var activity = Source.StartActivity($"run/{message.Name}", ActivityKind.Consumer, parent);
        if (activity is not null)
        {
            activity.SetTag(TaskNameTag, message.Name);
            activity.SetTag("celery.action", "run");
            activity.SetTag("celery.hostname", hostname);
            activity.SetTag("messaging.system", "rabbitmq");
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.message.id", message.Id);
        }

        Running.Add(1, name);
        try
        {
            var result = await code();
            activity?.SetTag(StateTag, "SUCCESS");
            return result;
        }
        catch (Exception ex)
        {
            activity?.SetTag(StateTag, "FAILURE");
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            activity?.AddException(ex);
            throw;
        }
        finally
        {
            Running.Add(-1, name);
        }
    }

    /// <summary>Counts a task that finished on this worker, and how long it ran when it ran.</summary>
    internal static void RecordFinished(string taskName, string state, TimeSpan? runtime)
    {
        var tags = new TagList { { TaskNameTag, taskName }, { StateTag, state } };
        Finished.Add(1, tags);
        if (runtime is { } ran)
        {
            Runtime.Record(ran.TotalSeconds, tags);
        }
    }
}
