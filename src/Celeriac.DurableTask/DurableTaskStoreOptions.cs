namespace Celeriac.DurableTask;

/// <summary>Which Durable Task client the entity store uses, and where its records live in the task hub.</summary>
public sealed class DurableTaskStoreOptions
{
    /// <summary>The default <see cref="QueryPageSize"/>.</summary>
    public const int DefaultQueryPageSize = 500;

    /// <summary>The largest <see cref="QueryPageSize"/> accepted.</summary>
    public const int MaxQueryPageSize = 1000;

    /// <summary>
    /// The name of the client to ask <see cref="Microsoft.DurableTask.Client.IDurableTaskClientProvider"/> for.
    /// Default: null, the default client.
    /// </summary>
    public string? ClientName { get; set; }

    /// <summary>
    /// Put before every task id in the entity key: the record of task <c>t1</c> is entity
    /// <c>@taskrecord@{KeyPrefix}t1</c>. Several applications (or test runs) sharing one task hub each set their own,
    /// and listing reads only entities with this prefix. Default: empty.
    /// </summary>
    public string KeyPrefix { get; set; } = "";

    /// <summary>
    /// How many entities one page of the entity query asks for while listing or counting. Default: 500, up to
    /// <see cref="MaxQueryPageSize"/>.
    /// </summary>
    public int QueryPageSize { get; set; } = DefaultQueryPageSize;
}
