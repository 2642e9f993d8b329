using Celeriac.Core.Records;
using Celeriac.Records.Testing;

namespace Celeriac.Sqlite.Tests;

/// <summary>The store contract, run against the in-memory store.</summary>
public sealed class InMemoryTaskStoreTests : TaskStoreContractTests
{
    protected override Task<ITaskStore> CreateStoreAsync() => Task.FromResult<ITaskStore>(new InMemoryTaskStore());
}
