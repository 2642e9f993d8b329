namespace Celeriac.Core.Revocation;

/// <summary>Where a worker keeps the revokes it must honour.</summary>
public enum RevocationSource
{
    /// <summary>On the task records when a task store is configured, otherwise in the per-node file (the default).</summary>
    Automatic,

    /// <summary>In memory only: lost on restart. For tests and throwaway workers.</summary>
    InMemory,
}
