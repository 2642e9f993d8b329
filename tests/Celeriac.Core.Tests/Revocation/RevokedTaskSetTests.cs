using Celeriac.Core.Revocation;
using Celeriac.Core.Tests.Fakes;

namespace Celeriac.Core.Tests.Revocation;

public sealed class RevokedTaskSetTests
{
    private static readonly DateTimeOffset s_start = FakeTimeProvider.DefaultStart;

    [Fact]
    public void Contains_WithinRetention_IsTrueAndAfterItFalse()
    {
        var set = new RevokedTaskSet(maxEntries: 10, retainFor: TimeSpan.FromHours(3));
        set.Add("a", s_start);

        Assert.True(set.Contains("a", s_start.AddHours(3).AddTicks(-1)));
        Assert.False(set.Contains("a", s_start.AddHours(3)));
        Assert.False(set.Contains("b", s_start));
    }

    [Fact]
    public void Add_BeyondMaxEntries_DropsTheOldestFirst()
    {
        var set = new RevokedTaskSet(maxEntries: 3, retainFor: TimeSpan.FromDays(1));

        for (var i = 0; i < 5; i++)
        {
            set.Add($"id-{i}", s_start.AddSeconds(i));
        }

        Assert.Equal(3, set.Count);
        Assert.Equal(["id-2", "id-3", "id-4"], set.Snapshot(s_start.AddSeconds(5)).Select(e => e.Key));
    }

    [Fact]
    public void Add_SameIdAgain_RefreshesItsTimeAndKeepsOneEntry()
    {
        var set = new RevokedTaskSet(maxEntries: 2, retainFor: TimeSpan.FromHours(1));
        set.Add("a", s_start);
        set.Add("b", s_start.AddMinutes(1));

        set.Add("a", s_start.AddMinutes(2));
        set.Add("c", s_start.AddMinutes(3));

        Assert.Equal(["a", "c"], set.Snapshot(s_start.AddMinutes(3)).Select(e => e.Key));
        Assert.True(set.Contains("a", s_start.AddMinutes(61)), "the refreshed revoke counts from its second time");
    }

    [Fact]
    public void Snapshot_PurgesExpiredEntriesInRevokeOrder()
    {
        var set = new RevokedTaskSet(maxEntries: 10, retainFor: TimeSpan.FromMinutes(10));
        set.Add("old", s_start);
        set.Add("new", s_start.AddMinutes(5));

        var snapshot = set.Snapshot(s_start.AddMinutes(12));

        Assert.Equal([new KeyValuePair<string, DateTimeOffset>("new", s_start.AddMinutes(5))], snapshot);
        Assert.Equal(1, set.Count);
    }

    [Fact]
    public async Task Add_ConcurrentWriters_KeepTheSetConsistent()
    {
        var set = new RevokedTaskSet(maxEntries: 100, retainFor: TimeSpan.FromDays(1));

        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                set.Add($"{w}-{i}", s_start.AddTicks(i));
                _ = set.Contains($"{w}-{i}", s_start);
            }
        })));

        Assert.Equal(100, set.Count);
        Assert.Equal(100, set.Snapshot(s_start.AddSeconds(1)).Count);
    }
}
