using Celeriac.Sqlite.Tests.Support;
using Microsoft.Extensions.Options;

namespace Celeriac.Sqlite.Tests;

/// <summary>
/// The beat lease in the record file, with two lease objects on one file standing for two beat processes (each has its
/// own connection, so the file's write lock is what decides, as between processes).
/// </summary>
public sealed class SqliteSchedulerLeaseTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("celeriac-lease-").FullName;
    private readonly MutableTime _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task TryAcquireAsync_HeldByAnother_IsRefusedUntilItExpiresOrIsReleased()
    {
        using var a = Lease();
        using var b = Lease();

        Assert.True(await a.TryAcquireAsync("a", TimeSpan.FromSeconds(15), default));
        Assert.False(await b.TryAcquireAsync("b", TimeSpan.FromSeconds(15), default));
        Assert.True(await a.TryAcquireAsync("a", TimeSpan.FromSeconds(15), default));
        _time.Now += TimeSpan.FromSeconds(15);
        Assert.True(await b.TryAcquireAsync("b", TimeSpan.FromSeconds(15), default));
        Assert.False(await a.TryAcquireAsync("a", TimeSpan.FromSeconds(15), default));
        await b.ReleaseAsync("b", default);
        Assert.True(await a.TryAcquireAsync("a", TimeSpan.FromSeconds(15), default));
    }

    [Fact]
    public async Task TryClaimTickAsync_OnlyTheHolderClaimsAndEachTickOnce()
    {
        using var a = Lease();
        using var b = Lease();
        await a.TryAcquireAsync("a", TimeSpan.FromSeconds(15), default);
        var tick = _time.Now;

        Assert.False(await b.TryClaimTickAsync("b", "entry", tick, default));
        Assert.True(await a.TryClaimTickAsync("a", "entry", tick, default));
        Assert.False(await a.TryClaimTickAsync("a", "entry", tick, default));
        Assert.Equal(tick, await b.GetLastTickAsync("entry", default));

        // a paused past its lease; b took over and claimed the next tick: a's late claim of that tick fails.
        _time.Now += TimeSpan.FromSeconds(20);
        Assert.True(await b.TryAcquireAsync("b", TimeSpan.FromSeconds(15), default));
        Assert.True(await b.TryClaimTickAsync("b", "entry", tick.AddSeconds(10), default));
        Assert.False(await a.TryClaimTickAsync("a", "entry", tick.AddSeconds(10), default));
        Assert.False(await a.TryClaimTickAsync("a", "entry", tick.AddSeconds(20), default));
    }

    [Fact]
    public async Task TryClaimTickAsync_ManyConcurrentClaimersOfOneTick_ExactlyOneWins()
    {
        var leases = Enumerable.Range(0, 8).Select(_ => Lease()).ToArray();
        try
        {
            // All claim as the same holder (the worst case: a lease renewed by two connections of one owner).
            await leases[0].TryAcquireAsync("a", TimeSpan.FromSeconds(15), default);
            var tick = _time.Now;

            var wins = await Task.WhenAll(leases.Select(l => Task.Run(async () => await l.TryClaimTickAsync("a", "entry", tick, default))));

            Assert.Equal(1, wins.Count(w => w));
        }
        finally
        {
            foreach (var lease in leases)
            {
                lease.Dispose();
            }
        }
    }

    [Fact]
    public async Task GetLastTickAsync_NeverClaimed_IsNullAndTheTablesLiveInTheRecordFile()
    {
        using var a = Lease();

        Assert.Null(await a.GetLastTickAsync("entry", default));
        using var raw = SqliteFiles.OpenRaw(Path.Combine(_directory, "tasks.db"));
        Assert.Equal(2L, raw.Scalar("SELECT count(*) FROM sqlite_master WHERE name IN ('beat_lease', 'beat_ticks');"));
    }

    private SqliteSchedulerLease Lease() =>
        new(Options.Create(new SqliteTaskStoreOptions { FilePath = Path.Combine(_directory, "tasks.db") }), _time);

    private sealed class MutableTime(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
