using Celeriac.Core.Protocol;
using Celeriac.Core.Transport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Core.Beat;

/// <summary>
/// <c>celeriac beat</c>: sends each periodic task when it is due, as Celery beat does, through the broker client, so
/// any Celery or Celeriac worker runs it. Any number of beat processes may run: the one holding the
/// <see cref="ISchedulerLease"/> sends, the others wait to take over, and each tick is claimed by compare-and-set
/// before it is sent, so it is sent once.
/// </summary>
public sealed class BeatScheduler : BackgroundService
{
    // Ticks one entry may send in one round before the others get their turn.
    private const int MaxTicksPerRound = 100;

    private readonly ISchedulerLease _lease;
    private readonly ITaskBroker _broker;
    private readonly TimeProvider _time;
    private readonly BeatOptions _options;
    private readonly ILogger<BeatScheduler> _logger;
    private readonly Dictionary<string, DateTimeOffset> _firstSeen = new(StringComparer.Ordinal);
    private bool? _leading;

    /// <summary>Creates the scheduler.</summary>
    public BeatScheduler(ISchedulerLease lease, ITaskBroker broker, TimeProvider time, IOptions<BeatOptions> options, ILogger<BeatScheduler> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _lease = lease;
        _broker = broker;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var entries = _options.ResolveEntries();
        Log.BeatStarting(_logger, entries.Count, _options.Owner);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wake = await StepAsync(entries, stoppingToken);
                var delay = wake - _time.GetUtcNow();
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: give the lease up below, so another beat takes over now rather than when it expires.
        }
        finally
        {
            if (_leading == true)
            {
                await _lease.ReleaseAsync(_options.Owner, CancellationToken.None);
            }
        }
    }

    /// <summary>One round: take or renew the lease, send what is due; returns when to run the next round.</summary>
    internal async Task<DateTimeOffset> StepAsync(IReadOnlyList<PeriodicTask> entries, CancellationToken cancellationToken)
    {
        var renewAt = _time.GetUtcNow() + (_options.LeaseDuration / 3);
        bool leading;
        try
        {
            leading = await _lease.TryAcquireAsync(_options.Owner, _options.LeaseDuration, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !IsFatal(ex))
        {
            Log.BeatLeaseFailed(_logger, ex);
            leading = false;
        }

        if (leading != _leading)
        {
            _leading = leading;
            if (leading)
            {
                Log.BeatLeading(_logger, _options.Owner);
            }
            else
            {
                Log.BeatStandingBy(_logger, _options.Owner);
            }
        }

        if (!leading)
        {
            return renewAt;
        }

        var wake = renewAt;
        foreach (var entry in entries)
        {
            try
            {
                if (await RunEntryAsync(entry, cancellationToken) is { } next && next < wake)
                {
                    wake = next;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException && !IsFatal(ex))
            {
                // One entry that cannot be sent (broker down, a store error) does not stop the others.
                Log.BeatEntryFailed(_logger, entry.Name, ex);
            }
        }

        return wake;
    }

    // Sends what is due of one entry (one tick after another when several are, up to a bound per round); returns when it is next due.
    private async Task<DateTimeOffset?> RunEntryAsync(PeriodicTask entry, CancellationToken cancellationToken)
    {
        // Never sent: the first tick counts from when a scheduler first saw the entry, as Celery beat counts from start;
        // in whole milliseconds, as a lease store keeps ticks, so every tick is the same instant in every process.
        var last = await _lease.GetLastTickAsync(entry.Name, cancellationToken)
            ?? (_firstSeen.TryGetValue(entry.Name, out var seen) ? seen : _firstSeen[entry.Name] = WholeMilliseconds(_time.GetUtcNow()));
        for (var sent = 0; sent < MaxTicksPerRound; sent++)
        {
            var plan = BeatTick.Plan(entry.Schedule, last, _time.GetUtcNow(), _options.MissedTicks, _options.MissedTickGrace);
            if (plan.Tick is not { } tick)
            {
                return plan.NextDue;
            }

            if (!await _lease.TryClaimTickAsync(_options.Owner, entry.Name, tick, cancellationToken))
            {
                // Another scheduler holds the lease now, or already sent this tick.
                return null;
            }

            last = tick;
            if (!plan.Send)
            {
                Log.BeatTickSkipped(_logger, entry.Name, tick);
                continue;
            }

            var message = new TaskMessage
            {
                Id = Guid.NewGuid().ToString(),
                Name = entry.Task,
                Args = entry.Args,
                Kwargs = entry.Kwargs,
                Expires = entry.ExpiresAfter is { } expiresAfter ? tick + expiresAfter : null,
            };
            Log.BeatSending(_logger, entry.Name, entry.Task, tick, message.Id);
            // Not cancelled by a stop: a claimed tick is sent (the broker client bounds the wait), so only a crash loses one.
            await _broker.SendTaskAsync(message, entry.Queue, CancellationToken.None);
        }

        return _time.GetUtcNow();
    }

    private static DateTimeOffset WholeMilliseconds(DateTimeOffset time) => time.AddTicks(-(time.Ticks % TimeSpan.TicksPerMillisecond));

    private static bool IsFatal(Exception ex) => ex is OutOfMemoryException or StackOverflowException or AccessViolationException;
}
