namespace Celeriac.Dashboard.Metrics;

/// <summary>The outcomes the throughput chart counts.</summary>
internal enum TaskOutcomeKind
{
    Succeeded,
    Failed,
    Retried,
    Revoked,
}
