using Celeriac.Core.Records;
using Celeriac.Records.Testing;
using Microsoft.Extensions.Options;

namespace Celeriac.Sqlite.Tests;

/// <summary>The chord counter contract against a SQLite file (new per test), and what only a file shared by two processes' counters can show.</summary>
public sealed class SqliteChordCounterTests : ChordCounterContractTests
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "celeriac-sqlite-tests", Guid.NewGuid().ToString("N"));
    private readonly List<SqliteChordCounter> _opened = [];

    protected override Task<IChordCounter> CreateCounterAsync() => Task.FromResult<IChordCounter>(Open());

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var counter in _opened)
        {
            counter.Dispose();
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task CountPartAsync_TwoCountersOnOneFile_ShareTheCountAndOnlyOneSendsTheBody()
    {
        var other = Open();

        var tallies = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(async () =>
            await (i % 2 == 0 ? Counter : other).CountPartAsync(Part("g1", 10, $"t{i}", i), default))));

        Assert.Single(tallies, t => t.SendBody);
        Assert.Equal(10, tallies.Max(t => t.Finished));
    }

    [Fact(Timeout = Timeout)]
    public async Task CountPartAsync_AfterReopen_KeepsTheCount()
    {
        await Counter.CountPartAsync(Part("g1", 2, "a", 0, 5), default);

        var reopened = Open();
        var last = await reopened.CountPartAsync(Part("g1", 2, "b", 1, 6), default);

        Assert.True(last.SendBody);
        Assert.Equal([5, 6], last.Parts.Select(p => p.Value.GetInt32()));
    }

    private SqliteChordCounter Open()
    {
        var counter = new SqliteChordCounter(Options.Create(new SqliteTaskStoreOptions { FilePath = Path.Combine(_directory, "tasks.db") }), TimeProvider.System);
        _opened.Add(counter);
        return counter;
    }
}
