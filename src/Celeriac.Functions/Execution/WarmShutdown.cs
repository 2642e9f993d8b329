using Celeriac.Core.Execution;
using Microsoft.Extensions.Hosting;

namespace Celeriac.Functions.Execution;

/// <summary>
/// Celery's warm shutdown when the Functions host stops the worker: tasks not started go back to the queue, running
/// ones get <see cref="WorkerOptions.ShutdownTimeout"/> to finish, then are cancelled and given back (their
/// invocations throw, so the listener republishes them). Registered after the control listener, so it stops first.
/// </summary>
internal sealed class WarmShutdown(WorkerLifecycle worker) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => worker.ShutdownAsync();
}
