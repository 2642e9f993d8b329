using System.Diagnostics;
using Celeriac.Core.Events;
using Celeriac.Core.Execution;
using Celeriac.Core.Protocol;
using Celeriac.Core.Revocation;
using Celeriac.Core.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Core.Control;

/// <summary>
/// The remote-control commands a worker answers: <c>ping</c>, <c>revoke</c>, the <c>inspect()</c> queries
/// (<c>active</c>, <c>reserved</c>, <c>scheduled</c>, <c>revoked</c>, <c>registered</c>, <c>stats</c>,
/// <c>query_task</c>, <c>active_queues</c>, <c>conf</c>, <c>report</c>, <c>clock</c>), the limits
/// (<c>rate_limit</c>, <c>time_limit</c>), the consumer (<c>add_consumer</c>, <c>cancel_consumer</c>), the pool
/// (<c>pool_grow</c>, <c>pool_shrink</c>), <c>enable_events</c>/<c>disable_events</c>, <c>heartbeat</c>, mingle's
/// <c>hello</c> and <c>shutdown</c>. Replies are shaped as Celery 5.2's worker shapes them.
/// </summary>
public sealed class WorkerControlCommands
{
    private readonly WorkerState _state;
    private readonly IRevokedTasks _revoked;
    private readonly TaskRegistry _registry;
    private readonly EventDispatcher _events;
    private readonly WorkerHeartbeat _heartbeat;
    private readonly LamportClock _clock;
    private readonly TimeProvider _time;
    private readonly WorkerOptions _options;
    private readonly IHostApplicationLifetime? _lifetime;
    private readonly ILogger<WorkerControlCommands> _logger;
    private readonly ITaskQueueConsumer? _consumer;
    private readonly IWorkerPool? _pool;
    private readonly IBrokerInfo? _broker;

    /// <summary>
    /// Creates the command set. The host's parts are optional: without a <paramref name="consumer"/>, <paramref name="pool"/>
    /// or <paramref name="broker"/>, the commands that need one answer that this host does not support them (and
    /// <c>stats</c> leaves out the <c>broker</c> section).
    /// </summary>
    public WorkerControlCommands(WorkerState state, IRevokedTasks revoked, TaskRegistry registry, EventDispatcher events, WorkerHeartbeat heartbeat,
        LamportClock clock, TimeProvider time, IOptions<WorkerOptions> options, ILogger<WorkerControlCommands> logger,
        IHostApplicationLifetime? lifetime = null, ITaskQueueConsumer? consumer = null, IWorkerPool? pool = null, IBrokerInfo? broker = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _state = state;
        _revoked = revoked;
        _registry = registry;
        _events = events;
        _heartbeat = heartbeat;
        _clock = clock;
        _time = time;
        _options = options.Value;
        _logger = logger;
        _lifetime = lifetime;
        _consumer = consumer;
        _pool = pool;
        _broker = broker;
    }

    // Celery's worker schedules every ETA task on its timer with this priority.
    private const int ScheduledEntryPriority = 6;

    /// <summary>Returned by commands that send no reply.</summary>
    public sealed class NoReply
    {
        internal static readonly NoReply Instance = new();
    }

    /// <summary>Runs a command and returns its reply (serialised under this node's name).</summary>
    public async ValueTask<object?> ExecuteAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Method switch
        {
            "ping" => Ok("pong"),
            "revoke" => await RevokeAsync(request, cancellationToken),
            "revoked" or "dump_revoked" => await _revoked.ListAsync(cancellationToken),
            "active" or "dump_active" => _state.Active.Select(r => Describe(r, request.GetBoolean("safe"))).ToArray(),
            "reserved" or "dump_reserved" => _state.Reserved.Where(r => !IsScheduled(r)).Select(r => Describe(r, safe: false)).ToArray(),
            "scheduled" or "dump_schedule" => _state.Reserved.Where(IsScheduled).Select(DescribeScheduled).ToArray(),
            "query_task" => QueryTask(request),
            "registered" or "dump_tasks" => Registered(),
            "stats" => Stats(),
            "active_queues" => ActiveQueues(),
            "conf" or "dump_conf" => Conf(request.GetBoolean("with_defaults")),
            "report" => Ok(WorkerConfiguration.Report(ConfTable(withDefaults: false), _broker?.Describe())),
            "rate_limit" => TaskLimitCommands.RateLimit(_registry, request, _logger),
            "time_limit" => TaskLimitCommands.TimeLimit(_registry, request, _logger),
            "add_consumer" => await AddConsumerAsync(request, cancellationToken),
            "cancel_consumer" => await CancelConsumerAsync(request, cancellationToken),
            "pool_grow" => await ResizePoolAsync(request, grow: true, cancellationToken),
            "pool_shrink" => await ResizePoolAsync(request, grow: false, cancellationToken),
            "enable_events" => SwitchEvents(true),
            "disable_events" => SwitchEvents(false),
            "heartbeat" => await WakeupAsync(cancellationToken),
            "hello" => await HelloAsync(request, cancellationToken),
            "clock" => new Dictionary<string, object> { ["clock"] = _clock.Forward() },
            "shutdown" => Shutdown(),
            _ => new Dictionary<string, string> { ["error"] = $"No such command: {PythonRepr.FormatString(request.Method)}" },
        };
    }

    private async ValueTask<object> RevokeAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        var ids = request.GetStrings("task_id");
        var terminate = request.GetBoolean("terminate");
        await _revoked.AddAsync(ids, terminate, cancellationToken);

        var terminated = new List<string>();
        foreach (var id in ids)
        {
            if (!_state.TryGet(id, out var running))
            {
                continue;
            }

            // A reserved task is discarded right away (its caller learns REVOKED now, not when a slot frees up).
            if (running.TryRevokeBeforeStart())
            {
                if (terminate)
                {
                    terminated.Add(id);
                }
            }
            else if (terminate)
            {
                var signal = Signals.Parse(request.GetString("signal"));
                Log.Terminating(_logger, id, signal);
                running.Stop(TaskStopReason.Terminated, signal);
                terminated.Add(id);
            }
        }

        if (terminate)
        {
            return Ok(terminated.Count == 0 ? "terminate: tasks unknown" : "terminate: " + string.Join(", ", terminated));
        }

        var joined = string.Join(", ", ids);
        Log.TasksFlaggedAsRevoked(_logger, joined);
        return Ok($"tasks {joined} flagged as revoked");
    }

    private Dictionary<string, object?> Describe(TaskRequest request, bool safe)
    {
        var message = request.Message;
        return new Dictionary<string, object?>
        {
            ["id"] = message.Id,
            ["name"] = message.Name,
            ["args"] = safe ? message.ArgsRepr ?? PythonRepr.FormatTuple(message.Args) : message.Args,
            ["kwargs"] = safe ? message.KwargsRepr ?? PythonRepr.Format(message.Kwargs) : message.Kwargs,
            ["type"] = message.Name,
            ["hostname"] = _options.Hostname,
            ["time_start"] = request.StartedAt is { } started ? CeleryTime.ToUnixSeconds(started) : null,
            // Celeriac acknowledges a message once its outcome is stored and published (Celery's task_acks_late, which
            // inspect conf reports), so a task that has not finished is never acknowledged: as Celery reports acks_late tasks.
            ["acknowledged"] = false,
            ["delivery_info"] = new Dictionary<string, object?>
            {
                ["exchange"] = request.Delivery.Exchange,
                ["routing_key"] = request.Delivery.RoutingKey,
                ["priority"] = (int)message.Priority,
                ["redelivered"] = request.Delivery.Redelivered,
            },
            ["worker_pid"] = Environment.ProcessId,
        };
    }

    private Dictionary<string, object?> DescribeScheduled(TaskRequest request) => new()
    {
        ["eta"] = request.Message.Eta is { } eta ? CeleryTime.Format(eta) : null,
        // The priority of Celery's timer entry, which its worker sets to 6 for every ETA task (strategy.py); the
        // message's own priority is in the request's delivery_info.
        ["priority"] = ScheduledEntryPriority,
        ["request"] = Describe(request, safe: false),
    };

    private bool IsScheduled(TaskRequest request) => request.Message.Eta is { } eta && eta > _time.GetUtcNow();

    private Dictionary<string, object?> QueryTask(ControlRequest request)
    {
        var found = new Dictionary<string, object?>();
        foreach (var id in request.GetStrings("ids"))
        {
            if (_state.TryGet(id, out var r))
            {
                found[id] = new object[] { r.StartedAt is null ? (IsScheduled(r) ? "scheduled" : "reserved") : "active", Describe(r, safe: false) };
            }
        }

        return found;
    }

    private string[] Registered() => _registry.Names
        .Select(name => _registry.TryGet(name, out var task) && task.Options.RateLimit is { } limit ? $"{name} [rate_limit={limit.Text}]" : name)
        .ToArray();

    private int Concurrency => _pool?.Concurrency ?? _options.Concurrency;

    private Dictionary<string, object?> Stats()
    {
        using var process = Process.GetCurrentProcess();
        var stats = new Dictionary<string, object?>
        {
            ["total"] = _state.Totals,
            ["pid"] = Environment.ProcessId,
            ["clock"] = _clock.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["uptime"] = (int)(_time.GetUtcNow() - _state.StartedAt).TotalSeconds,
            ["pool"] = new Dictionary<string, object?>
            {
                ["implementation"] = "celeriac:async",
                ["max-concurrency"] = Concurrency,
                ["processes"] = new[] { Environment.ProcessId },
                ["max-tasks-per-child"] = "N/A",
                ["put-guarded-by-semaphore"] = true,
                ["timeouts"] = new[] { 0, 0 },
            },
        };
        if (_broker?.Describe() is { } broker)
        {
            // After pool, where Celery's consumer puts it.
            stats["broker"] = DescribeBroker(broker);
        }

        stats["prefetch_count"] = Concurrency * _options.PrefetchMultiplier;
        stats["rusage"] = new Dictionary<string, object?>
        {
            ["maxrss"] = process.PeakWorkingSet64 / 1024,
            ["utime"] = process.UserProcessorTime.TotalSeconds,
            ["stime"] = process.PrivilegedProcessorTime.TotalSeconds,
        };
        stats["sw_ident"] = WorkerHeartbeat.SoftwareIdentity;
        stats["sw_ver"] = WorkerHeartbeat.SoftwareVersion;
        return stats;
    }

    // The keys of kombu's Connection.info(), in its order.
    private static Dictionary<string, object?> DescribeBroker(BrokerConnectionInfo broker) => new()
    {
        ["hostname"] = broker.Hostname,
        ["userid"] = broker.UserId,
        ["virtual_host"] = broker.VirtualHost,
        ["port"] = broker.Port,
        ["insist"] = false,
        ["ssl"] = broker.Ssl,
        ["transport"] = broker.Transport,
        ["connect_timeout"] = broker.ConnectTimeout?.TotalSeconds,
        ["transport_options"] = new Dictionary<string, object?>(),
        ["login_method"] = "PLAIN",
        ["uri_prefix"] = null,
        ["heartbeat"] = broker.Heartbeat?.TotalSeconds,
        ["failover_strategy"] = "round-robin",
        ["alternates"] = Array.Empty<string>(),
    };

    private List<KeyValuePair<string, object?>> ConfTable(bool withDefaults) =>
        WorkerConfiguration.Table(_options, _events.TaskEventsEnabled, Concurrency, _broker?.Describe(), withDefaults);

    private Dictionary<string, object?> Conf(bool withDefaults) => new(ConfTable(withDefaults), StringComparer.Ordinal);

    private Dictionary<string, object?>[] ActiveQueues()
    {
        var queues = _consumer?.Queues ?? _options.Queues.Select(ConsumedQueue.Named).ToArray();
        return queues.Select(DescribeQueue).ToArray();
    }

    // kombu's Queue.as_dict(recurse=True) for a queue the worker declared: durable, bound to a durable exchange.
    private static Dictionary<string, object?> DescribeQueue(ConsumedQueue queue) => new()
    {
        ["name"] = queue.Name,
        ["exchange"] = new Dictionary<string, object?>
        {
            ["name"] = queue.Exchange,
            ["type"] = queue.ExchangeType,
            ["arguments"] = null,
            ["durable"] = true,
            ["passive"] = false,
            ["auto_delete"] = false,
            ["delivery_mode"] = null,
            ["no_declare"] = false,
        },
        ["routing_key"] = queue.RoutingKey,
        ["queue_arguments"] = null,
        ["binding_arguments"] = null,
        ["consumer_arguments"] = null,
        ["durable"] = true,
        ["exclusive"] = false,
        ["auto_delete"] = false,
        ["no_ack"] = false,
        ["alias"] = null,
        ["bindings"] = Array.Empty<object>(),
        ["no_declare"] = null,
        ["expires"] = null,
        ["message_ttl"] = null,
        ["max_length"] = null,
        ["max_length_bytes"] = null,
        ["max_priority"] = null,
    };

    private async ValueTask<Dictionary<string, string>> AddConsumerAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        var name = request.GetString("queue");
        if (string.IsNullOrEmpty(name))
        {
            return Error("TypeError(\"add_consumer() missing 1 required positional argument: 'queue'\")");
        }

        if (_consumer is null)
        {
            return Error("add_consumer is not supported by this host");
        }

        // Celery's defaults for a queue named alone: an exchange of the same name, direct, the name as routing key.
        var exchange = request.GetString("exchange") is { Length: > 0 } e ? e : name;
        var queue = new ConsumedQueue(name, exchange, request.GetString("exchange_type") is { Length: > 0 } t ? t : "direct",
            request.GetString("routing_key") is { Length: > 0 } key ? key : name);
        try
        {
            // Replied to once consuming, not before (Celery replies first and consumes soon after): a reply means it took.
            await _consumer.AddQueueAsync(queue, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            Log.ConsumerChangeFailed(_logger, name, ex);
            return Error($"{ex.GetType().Name}({PythonRepr.FormatString(ex.Message)})");
        }

        Log.ConsumerAdded(_logger, name);
        return Ok($"add consumer {name}");
    }

    private async ValueTask<Dictionary<string, string>> CancelConsumerAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        var name = request.GetString("queue");
        if (string.IsNullOrEmpty(name))
        {
            return Error("TypeError(\"cancel_consumer() missing 1 required positional argument: 'queue'\")");
        }

        if (_consumer is null)
        {
            return Error("cancel_consumer is not supported by this host");
        }

        try
        {
            await _consumer.CancelQueueAsync(name, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            Log.ConsumerChangeFailed(_logger, name, ex);
            return Error($"{ex.GetType().Name}({PythonRepr.FormatString(ex.Message)})");
        }

        Log.ConsumerCancelled(_logger, name);
        return Ok($"no longer consuming from {name}");
    }

    private async ValueTask<Dictionary<string, string>> ResizePoolAsync(ControlRequest request, bool grow, CancellationToken cancellationToken)
    {
        if (_pool is null)
        {
            return Error($"{(grow ? "pool_grow" : "pool_shrink")} is not supported by this host");
        }

        var n = request.Arguments.ValueKind == System.Text.Json.JsonValueKind.Object && request.Arguments.TryGetProperty("n", out var value)
            && value.TryGetInt32(out var count) ? count : 1;
        if (n < 0)
        {
            // A negative count changes nothing, as in Celery's grow (a loop over range(n)).
            n = 0;
        }

        if (grow)
        {
            await _pool.GrowAsync(n, cancellationToken);
        }
        else
        {
            try
            {
                await _pool.ShrinkAsync(n, cancellationToken);
            }
            catch (InvalidOperationException ex)
            {
                // Celery's pools refuse with a ValueError ("Can't shrink pool. All processes busy!").
                return Error($"ValueError({PythonRepr.FormatString(ex.Message)})");
            }
        }

        Log.PoolResized(_logger, _pool.Concurrency);
        return Ok(grow ? "pool will grow" : "pool will shrink");
    }

    private Dictionary<string, string> SwitchEvents(bool enabled)
    {
        var wasEnabled = _events.TaskEventsEnabled;
        _events.TaskEventsEnabled = enabled;
        Log.TaskEventsSwitched(_logger, enabled ? "enabled" : "disabled");
        return Ok(wasEnabled == enabled
            ? $"task events already {(enabled ? "enabled" : "disabled")}"
            : $"task events {(enabled ? "enabled" : "disabled")}");
    }

    // Celery's heartbeat command returns nothing, so a caller that asked for a reply gets {node: null}.
    private async ValueTask<object?> WakeupAsync(CancellationToken cancellationToken)
    {
        await _heartbeat.SendWakeupAsync(cancellationToken);
        return null;
    }

    private async ValueTask<object> HelloAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        // Mingle: a starting Python worker shares its revokes and asks for ours.
        if (request.GetString("from_node") == _options.Hostname)
        {
            return NoReply.Instance;
        }

        if (request.Arguments.TryGetProperty("revoked", out var theirs) && theirs.ValueKind == System.Text.Json.JsonValueKind.Object)
        {
            var ids = theirs.EnumerateObject().Select(p => p.Name).ToArray();
            if (ids.Length > 0)
            {
                await _revoked.AddAsync(ids, cancellationToken);
            }
        }

        // Python's LimitedSet.update wants {id: [timestamp, id]} with a float timestamp.
        var now = CeleryTime.ToUnixSeconds(_time.GetUtcNow()) + 0.000001;
        var ours = (await _revoked.ListAsync(cancellationToken)).ToDictionary(id => id, id => new object[] { now, id });
        return new Dictionary<string, object> { ["revoked"] = ours, ["clock"] = _clock.Forward() };
    }

    private object Shutdown()
    {
        if (_lifetime is null)
        {
            return new Dictionary<string, string> { ["error"] = "shutdown is not supported by this host" };
        }

        _lifetime.StopApplication();
        return Ok("Warm shutdown initiated");
    }

    private static Dictionary<string, string> Ok(string text) => new() { ["ok"] = text };

    private static Dictionary<string, string> Error(string text) => new() { ["error"] = text };
}
