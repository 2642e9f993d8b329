using Celeriac.Core.Execution;
using Celeriac.Core.Tasks;
using Celeriac.Core.Tests.Fakes;
using Celeriac.Core.Transport;
using Microsoft.Extensions.Options;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Execution;

/// <summary>A request starts or is revoked before it starts, never both; the first stop reason wins.</summary>
public sealed class TaskRequestTests
{
    [Fact]
    public void TryRevokeBeforeStart_NotStarted_RevokesAndStopsAndPreventsTheStart()
    {
        var request = NewRequest();

        Assert.True(request.TryRevokeBeforeStart());

        Assert.Equal(TaskStopReason.Terminated, request.StopReason);
        Assert.True(request.CancellationToken.IsCancellationRequested);
        Assert.False(request.TryStart(FakeTimeProvider.DefaultStart));
        Assert.Null(request.StartedAt);
    }

    [Fact]
    public void TryRevokeBeforeStart_AlreadyStarted_IsFalseAndLeavesItRunning()
    {
        var request = NewRequest();
        Assert.True(request.TryStart(FakeTimeProvider.DefaultStart));

        Assert.False(request.TryRevokeBeforeStart());

        Assert.Null(request.StopReason);
        Assert.False(request.CancellationToken.IsCancellationRequested);
        Assert.Equal(FakeTimeProvider.DefaultStart, request.StartedAt);
    }

    [Fact]
    public void Stop_Twice_TheFirstReasonWins()
    {
        var request = NewRequest();

        Assert.True(request.Stop(TaskStopReason.TimeLimit));
        Assert.False(request.Stop(TaskStopReason.Shutdown));

        Assert.Equal(TaskStopReason.TimeLimit, request.StopReason);
    }

    [Fact]
    public void Stop_TaskCallbackThrows_StillStops()
    {
        var request = NewRequest();
        request.CancellationToken.Register(() => throw new InvalidOperationException("bad callback"));

        Assert.True(request.Stop(TaskStopReason.Terminated, Signals.SigKill));

        Assert.Equal(Signals.SigKill, request.TerminateSignal);
        Assert.True(request.CancellationToken.IsCancellationRequested);
    }

    private static TaskRequest NewRequest()
    {
        var options = new TaskRegistryOptions();
        var handler = (Func<int>)(() => 1);
        options.Registrations.Add(new TaskRegistration("tasks.one", handler.Method, handler.Target, null, TaskOptions.Default));
        Assert.True(new TaskRegistry(Options.Create(options)).TryGet("tasks.one", out var definition));
        var delivery = new Delivery { Message = NewTask("tasks.one").Encode(), Handle = new RecordingDeliveryHandle(new EventLog()), Queue = "celery" };
        return new TaskRequest(NewTask("tasks.one"), delivery, definition, FakeTimeProvider.DefaultStart);
    }
}
