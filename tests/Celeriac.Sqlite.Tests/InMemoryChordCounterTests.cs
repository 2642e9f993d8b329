using Celeriac.Core.Records;
using Celeriac.Records.Testing;

namespace Celeriac.Sqlite.Tests;

/// <summary>The chord counter contract, run against the in-memory counter.</summary>
public sealed class InMemoryChordCounterTests : ChordCounterContractTests
{
    protected override Task<IChordCounter> CreateCounterAsync() => Task.FromResult<IChordCounter>(new InMemoryChordCounter());
}
