namespace Celeriac.Core.Execution;

/// <summary>
/// The broker's window of unacknowledged deliveries, as a consumer that holds tasks for their ETA must manage it:
/// each task held widens the window by one, so a few far-future tasks never stop the worker from receiving work
/// it could run now (Celery's QoS bump). Hosts whose broker client manages its own window pass none.
/// </summary>
public interface IPrefetchWindow
{
    /// <summary>One more delivery may be outstanding (a task is now held for its ETA).</summary>
    Task WidenAsync();

    /// <summary>One fewer (the held task started or was settled).</summary>
    Task NarrowAsync();
}
