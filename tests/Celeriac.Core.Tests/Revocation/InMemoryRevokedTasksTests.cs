using Celeriac.Core.Revocation;
using Celeriac.Core.Tests.Fakes;
using Microsoft.Extensions.Options;

namespace Celeriac.Core.Tests.Revocation;

public sealed class InMemoryRevokedTasksTests
{
    [Fact]
    public async Task IsRevokedAsync_AfterRetention_IsForgotten()
    {
        var time = new FakeTimeProvider();
        var revoked = new InMemoryRevokedTasks(Options.Create(new RevocationOptions { RetainFor = TimeSpan.FromHours(3) }), time);
        await revoked.AddAsync(["a", "b"], default);

        Assert.True(await revoked.IsRevokedAsync("a", default));
        Assert.Equal(["a", "b"], (await revoked.ListAsync(default)).Order());

        time.Advance(TimeSpan.FromHours(3));

        Assert.False(await revoked.IsRevokedAsync("a", default));
        Assert.Empty(await revoked.ListAsync(default));
    }
}
