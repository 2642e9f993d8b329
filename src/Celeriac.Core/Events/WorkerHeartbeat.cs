using System.Globalization;
using System.Reflection;
using Celeriac.Core.Execution;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Core.Events;

/// <summary>
/// The worker's presence on the event bus: <c>worker-online</c> when it starts, <c>worker-heartbeat</c>
/// every <see cref="EventOptions.HeartbeatInterval"/>, <c>worker-offline</c> when it stops. Monitors
/// consider a worker gone after two missed heartbeats.
/// </summary>
/// <remarks>
/// Like Celery's timer (kombu's <c>call_repeatedly</c>), each beat is scheduled one interval after the previous
/// one began, so a beat that a busy machine delayed does not pull the next one closer than <c>freq</c> says.
/// </remarks>
public sealed class WorkerHeartbeat : IAsyncDisposable
{
    /// <summary>The <c>sw_ident</c> monitors show for Celeriac workers.</summary>
    public const string SoftwareIdentity = "celeriac";

    private static readonly TimeSpan OfflineFlushWait = TimeSpan.FromSeconds(5);

    private readonly EventDispatcher _events;
    private readonly WorkerState _state;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger<WorkerHeartbeat> _logger;
    private readonly Lock _timerGate = new();
    private ITimer? _timer;

    /// <summary>Creates the heartbeat.</summary>
    public WorkerHeartbeat(EventDispatcher events, WorkerState state, TimeProvider time, IOptions<EventOptions> options, ILogger<WorkerHeartbeat> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _events = events;
        _state = state;
        _time = time;
        _interval = options.Value.HeartbeatInterval;
        _logger = logger;
    }

    /// <summary>The version monitors show (<c>sw_ver</c>).</summary>
    public static string SoftwareVersion { get; } =
        typeof(WorkerHeartbeat).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Sends <c>worker-online</c> and starts the heartbeat timer.</summary>
    public async ValueTask StartAsync(CancellationToken cancellationToken)
    {
        await _events.SendAsync(WorkerEvent("worker-online"), cancellationToken);
        lock (_timerGate)
        {
            _timer = _time.CreateTimer(static h => ((WorkerHeartbeat)h!).Beat(), this, _interval, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Stops the timer and sends <c>worker-offline</c>, after the task events still buffered.</summary>
    public async ValueTask StopAsync(CancellationToken cancellationToken)
    {
        if (TakeTimer() is not { } timer)
        {
            return;
        }

        await timer.DisposeAsync();
        try
        {
            // Bounded: tasks still finishing may keep the buffer from ever being empty; offline goes out regardless.
            await _events.FlushAsync().WaitAsync(OfflineFlushWait, _time, cancellationToken);
        }
        catch (TimeoutException)
        {
            Log.OfflineBeforeTaskEventsSent(_logger, OfflineFlushWait);
        }

        await _events.SendAsync(WorkerEvent("worker-offline"), cancellationToken);
    }

    /// <summary>
    /// Sends one heartbeat now, as the <c>heartbeat</c> control command asks (a monitor starting up wakes
    /// workers with it): <c>freq=5</c> and the software fields only, like Celery.
    /// </summary>
    public ValueTask SendWakeupAsync(CancellationToken cancellationToken) =>
        _events.SendAsync(new CeleryEvent("worker-heartbeat")
            .With("freq", 5)
            .With("sw_ident", SoftwareIdentity)
            .With("sw_ver", SoftwareVersion)
            .With("sw_sys", SystemName()), cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (TakeTimer() is { } timer)
        {
            await timer.DisposeAsync();
        }
    }

    private ITimer? TakeTimer()
    {
        lock (_timerGate)
        {
            var timer = _timer;
            _timer = null;
            return timer;
        }
    }

    private void Beat() => _ = BeatAsync();

    private async Task BeatAsync()
    {
        var began = _time.GetTimestamp();
        try
        {
            await _events.SendAsync(WorkerEvent("worker-heartbeat"), CancellationToken.None);
        }
        catch (Exception ex) when (!Fatal.IsFatal(ex))
        {
            Log.HeartbeatFailed(_logger, ex);
        }
        finally
        {
            // The time the send took counts towards the interval; a stopped heartbeat has no timer to re-arm.
            var next = _interval - _time.GetElapsedTime(began);
            lock (_timerGate)
            {
                _timer?.Change(next > TimeSpan.Zero ? next : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private CeleryEvent WorkerEvent(string type) => new CeleryEvent(type)
        .With("freq", _interval.TotalSeconds)
        .With("active", _state.ActiveCount)
        .With("processed", _state.Processed)
        .With("loadavg", LoadAverage())
        .With("sw_ident", SoftwareIdentity)
        .With("sw_ver", SoftwareVersion)
        .With("sw_sys", SystemName());

    private static string SystemName() =>
        OperatingSystem.IsLinux() ? "Linux" : OperatingSystem.IsWindows() ? "Windows" : OperatingSystem.IsMacOS() ? "Darwin" : Environment.OSVersion.Platform.ToString();

    private static double[] LoadAverage()
    {
        try
        {
            if (OperatingSystem.IsLinux() && File.Exists("/proc/loadavg"))
            {
                var parts = File.ReadAllText("/proc/loadavg").Split(' ');
                return parts.Take(3).Select(p => Math.Round(double.Parse(p, CultureInfo.InvariantCulture), 2)).ToArray();
            }
        }
        catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
        {
            // No load average on this system: report zeros, as Celery does where os.getloadavg is missing.
        }

        return [0.0, 0.0, 0.0];
    }
}
