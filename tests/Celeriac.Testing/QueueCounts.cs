namespace Celeriac.Testing;

/// <summary>A queue's counts as the management API last sampled them.</summary>
/// <param name="Ready">Messages waiting for a consumer.</param>
/// <param name="Unacknowledged">Messages delivered and not yet acknowledged.</param>
/// <param name="Consumers">How many consumers the queue has.</param>
public sealed record QueueCounts(long Ready, long Unacknowledged, long Consumers);
