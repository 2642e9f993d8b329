using Celeriac.Core.Control;
using Celeriac.Core.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.AspNetCore.Api;

/// <summary>
/// The task names the API accepts: registered here, configured (names and patterns), or registered by a running worker.
/// The workers' names are asked for (<see cref="IWorkerTaskQuery"/>) when a name is not known, at most every
/// 2 seconds however many unknown names arrive, and again in the background once they are older than
/// <see cref="TaskApiOptions.WorkerTasksRefreshInterval"/>. When no worker answers, the names last heard stay known:
/// a task sent for a worker that is restarting waits in its queue, as it would for Celery.
/// </summary>
internal sealed class TaskNameCatalog : ITaskNameCatalog
{
    private static readonly TimeSpan s_missSpacing = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_replyTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_queryTimeout = TimeSpan.FromSeconds(3);

    private readonly TaskRegistry _registry;
    private readonly IWorkerTaskQuery? _workers;
    private readonly TimeSpan _refreshInterval;
    private readonly HashSet<string> _exact;
    private readonly string[] _patterns;
    private readonly TimeProvider _time;
    private readonly ILogger<TaskNameCatalog> _logger;
    private readonly Lock _lock = new();
    private volatile HashSet<string> _workerNames = new(StringComparer.Ordinal);
    private DateTimeOffset _refreshedAt = DateTimeOffset.MinValue;
    private DateTimeOffset _attemptedAt = DateTimeOffset.MinValue;
    private Task? _refreshing;
    private bool _lastFailed;

    public TaskNameCatalog(TaskRegistry registry, IEnumerable<IWorkerTaskQuery> workers, IOptions<TaskApiOptions> options, TimeProvider time,
        ILogger<TaskNameCatalog> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _registry = registry;
        var value = options.Value;
        _workers = value.DiscoverWorkerTasks ? workers.LastOrDefault() : null;
        _refreshInterval = value.WorkerTasksRefreshInterval;
        _exact = new HashSet<string>(value.Tasks.Where(t => !TaskNamePattern.IsPattern(t)), StringComparer.Ordinal);
        _patterns = value.Tasks.Where(TaskNamePattern.IsPattern).ToArray();
        _time = time;
        _logger = logger;
    }

    public IReadOnlyList<string> Known =>
        _registry.Names.Concat(_exact).Concat(_patterns).Concat(_workerNames).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    public async ValueTask<bool> ContainsAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_registry.TryGet(name, out _) || _exact.Contains(name) || _patterns.Any(p => TaskNamePattern.Matches(p, name)))
        {
            return true;
        }

        if (_workers is null)
        {
            return false;
        }

        var now = _time.GetUtcNow();
        Task refresh;
        lock (_lock)
        {
            if (_workerNames.Contains(name))
            {
                if (now - _refreshedAt >= _refreshInterval && now - _attemptedAt >= s_missSpacing)
                {
                    // Still trusted while the workers are asked again: a known task is never held up by the question.
                    StartRefresh(now);
                }

                return true;
            }

            if (_refreshing is null && now - _attemptedAt < s_missSpacing)
            {
                return false;
            }

            refresh = _refreshing ?? StartRefresh(now);
        }

        try
        {
            await refresh.WaitAsync(s_queryTimeout, _time, cancellationToken);
        }
        catch (TimeoutException)
        {
            return false;
        }

        return _workerNames.Contains(name);
    }

    // Under _lock.
    private Task StartRefresh(DateTimeOffset now)
    {
        _attemptedAt = now;
        return _refreshing ??= RefreshAsync();
    }

    private async Task RefreshAsync()
    {
        // Off the caller's lock before anything else, so the finally below never runs before _refreshing is set.
        await Task.Yield();
        try
        {
            var replies = await _workers!.GetRegisteredAsync(s_replyTimeout, CancellationToken.None);
            if (replies.Count > 0)
            {
                _workerNames = new HashSet<string>(replies.Values.SelectMany(n => n), StringComparer.Ordinal);
                _refreshedAt = _time.GetUtcNow();
            }

            _lastFailed = false;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (!_lastFailed)
            {
                Log.WorkerTasksUnavailable(_logger, ex.GetBaseException().Message);
            }

            _lastFailed = true;
        }
        finally
        {
            lock (_lock)
            {
                _refreshing = null;
            }
        }
    }
}
