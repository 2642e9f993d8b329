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
/// The remote-control commands a worker answers: <c>ping</c>, <c>revoke</c>, the <c>inspect()</c> queries,
/// <c>enable_events</c>/<c>disable_events</c>, <c>heartbeat</c>, mingle's <c>hello</c> and <c>shutdown</c>.
/// Replies are shaped as Celery 5.2's worker shapes them.
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

    /// <summary>Creates the command set.</summary>
    public WorkerControlCommands(WorkerState state, IRevokedTasks revoked, TaskRegistry registry, EventDispatcher events, WorkerHeartbeat heartbeat,
        LamportClock clock, TimeProvider time, IOptions<WorkerOptions> options, ILogger<WorkerControlCommands> logger,
        IHostApplicationLifetime? lifetime = null)
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
    }

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
            "revoked" => await _revoked.ListAsync(cancellationToken),
            "active" => _state.Active.Select(r => Describe(r, request.GetBoolean("safe"))).ToArray(),
            "reserved" => _state.Reserved.Where(r => !IsScheduled(r)).Select(r => Describe(r, safe: false)).ToArray(),
            "scheduled" => _state.Reserved.Where(IsScheduled).Select(DescribeScheduled).ToArray(),
            "query_task" => QueryTask(request),
            "registered" => _registry.Names,
            "stats" => Stats(),
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
        ["priority"] = (int)request.Message.Priority,
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

    private Dictionary<string, object?> Stats()
    {
        using var process = Process.GetCurrentProcess();
        return new Dictionary<string, object?>
        {
            ["total"] = _state.Totals,
            ["pid"] = Environment.ProcessId,
            ["clock"] = _clock.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["uptime"] = (int)(_time.GetUtcNow() - _state.StartedAt).TotalSeconds,
            ["pool"] = new Dictionary<string, object?>
            {
                ["implementation"] = "celeriac:async",
                ["max-concurrency"] = _options.Concurrency,
                ["processes"] = new[] { Environment.ProcessId },
                ["max-tasks-per-child"] = "N/A",
                ["put-guarded-by-semaphore"] = true,
                ["timeouts"] = new[] { 0, 0 },
            },
            ["prefetch_count"] = (int)_options.PrefetchCount,
            ["rusage"] = new Dictionary<string, object?>
            {
                ["maxrss"] = process.PeakWorkingSet64 / 1024,
                ["utime"] = process.UserProcessorTime.TotalSeconds,
                ["stime"] = process.PrivilegedProcessorTime.TotalSeconds,
            },
            ["sw_ident"] = WorkerHeartbeat.SoftwareIdentity,
            ["sw_ver"] = WorkerHeartbeat.SoftwareVersion,
        };
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

    private async ValueTask<object> WakeupAsync(CancellationToken cancellationToken)
    {
        await _heartbeat.SendWakeupAsync(cancellationToken);
        return NoReply.Instance;
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
}
