using Celeriac.Core.Records;
using Celeriac.DurableTask.Tests.Support;
using Celeriac.Records.Testing;

namespace Celeriac.DurableTask.Tests;

/// <summary>
/// The store contract against <see cref="DurableTaskStore"/> on the real Durable extension and Azurite: every change is a
/// real signal applied by a real <see cref="TaskRecordEntity"/>, every read the entity's persisted state. Reads wait until
/// the changes made so far have been applied (<see cref="SettledReadsTaskStore"/>), since the store's reads lag by design.
/// </summary>
[Collection(DurableExtensionCollection.Name)]
public sealed class DurableTaskStoreContractTests(DurableExtensionFixture fixture, ITestOutputHelper output) : TaskStoreContractTests
{
    private static readonly TimeSpan s_settleDeadline = TimeSpan.FromSeconds(100);

    protected override Task<ITaskStore> CreateStoreAsync()
    {
        fixture.Logs.Attach(output.WriteLine);
        return Task.FromResult<ITaskStore>(new SettledReadsTaskStore(fixture.CreateStore(), s_settleDeadline));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        fixture.Logs.Detach();
    }
}
