using System.Text.Json;
using Celeriac.Core.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Celeriac.Core.Execution;

/// <summary>
/// Runs a task's own code in a DI scope of its own, under its time limits, and says how it ended: returned, threw,
/// or was stopped (terminate, hard limit, shutdown) first. It does not wait for code that ignores its token.
/// </summary>
internal sealed class TaskRunner(IServiceScopeFactory scopes, TimeProvider time, string hostname, ILogger logger)
{
    /// <summary>
    /// Starts the task's code and returns how it ended, with the code's own task: still running when the task was
    /// stopped and ignores its token.
    /// </summary>
    public async Task<(RunEnd End, Task<JsonElement> Code)> RunAsync(TaskRequest request)
    {
        var message = request.Message;
        var limits = TimeLimits.Of(message, request.Definition);
        using var hardLimit = StartTimer(limits.Hard, () => request.Stop(TaskStopReason.TimeLimit));
        using var softLimit = StartTimer(limits.Soft, () =>
        {
            Log.SoftTimeLimitExceeded(logger, limits.Soft ?? 0, message.DisplayName, message.Id);
            request.ExceedSoftLimit();
        });

        var startedAt = time.GetTimestamp();
        var code = Task.Run(() => Diagnostics.TaskTelemetry.RunAsync(message, hostname, request.ReceivedAt, time.GetUtcNow(), () => InvokeAsync(request)));
        var first = await Task.WhenAny(code, request.Stopped);
        var runtime = time.GetElapsedTime(startedAt);
        if (first != code)
        {
            return (new RunEnd(default, null, await request.Stopped, runtime), code);
        }

        try
        {
            return (new RunEnd(await code, null, null, runtime), code);
        }
        catch (Exception ex) when (!Fatal.IsFatal(ex))
        {
            return (new RunEnd(default, ex, null, runtime), code);
        }
    }

    private async Task<JsonElement> InvokeAsync(TaskRequest request)
    {
        await using var scope = scopes.CreateAsyncScope();
        var context = new TaskContext(request.Message, hostname, request.Delivery.Redelivered, request.CancellationToken);
        return await request.Definition.InvokeAsync(context, scope.ServiceProvider);
    }

    private ITimer? StartTimer(double? seconds, Action action) =>
        seconds is > 0 ? time.CreateTimer(static a => ((Action)a!)(), action, TimeSpan.FromSeconds(seconds.Value), Timeout.InfiniteTimeSpan) : null;
}
