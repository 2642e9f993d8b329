using Celeriac.Core.Execution;
using Celeriac.Core.Revocation;
using Celeriac.Core.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Celeriac.Core.Tests.Revocation;

/// <summary>Revokes survive a restart: the same node name and state directory find them again.</summary>
public sealed class FileRevokedTasksTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "celeriac-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new();

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task AddAsync_ThenReopen_TheRevokesAreStillThere()
    {
        using (var first = Open())
        {
            await first.AddAsync(["a", "b"], default);
            await first.AddAsync(["c"], default);
        }

        using var second = Open();

        Assert.True(await second.IsRevokedAsync("a", default));
        Assert.True(await second.IsRevokedAsync("c", default));
        Assert.False(await second.IsRevokedAsync("d", default));
        Assert.Equal(["a", "b", "c"], (await second.ListAsync(default)).Order());
    }

    [Fact]
    public async Task Constructor_FileNamedAfterTheNode_OneFilePerNode()
    {
        using (var w1 = Open("w1@vm"))
        {
            await w1.AddAsync(["a"], default);
            Assert.Equal(Path.Combine(_directory, "w1@vm.revoked"), w1.FilePath);
        }

        using var w2 = Open("w2@vm");

        Assert.False(await w2.IsRevokedAsync("a", default));
    }

    [Theory]
    [InlineData("17952")]
    [InlineData("")]
    [InlineData("1795238570000 ")]
    [InlineData("not-a-time id")]
    public async Task Constructor_TornLastLine_IsIgnored(string tornLine)
    {
        Directory.CreateDirectory(_directory);
        await File.WriteAllTextAsync(Path.Combine(_directory, "w1@vm.revoked"), $"{_time.GetUtcNow().ToUnixTimeMilliseconds()} a\n{tornLine}");

        using var revoked = Open();

        Assert.Equal(["a"], await revoked.ListAsync(default));
    }

    [Fact]
    public async Task AddAsync_AfterATornLastLine_TheNewRevokeSurvivesTheNextRestart()
    {
        Directory.CreateDirectory(_directory);
        await File.WriteAllTextAsync(Path.Combine(_directory, "w1@vm.revoked"), $"{_time.GetUtcNow().ToUnixTimeMilliseconds()} a\n17952385");
        using (var afterCrash = Open())
        {
            await afterCrash.AddAsync(["b"], default);
        }

        using var afterRestart = Open();

        Assert.True(await afterRestart.IsRevokedAsync("b", default), File.ReadAllText(afterRestart.FilePath));
        Assert.True(await afterRestart.IsRevokedAsync("a", default));
    }

    [Fact]
    public async Task Reopen_AfterRetention_OldRevokesAreForgotten()
    {
        using (var first = Open())
        {
            await first.AddAsync(["old"], default);
        }

        _time.Advance(TimeSpan.FromDays(7));
        using var second = Open();

        Assert.False(await second.IsRevokedAsync("old", default));
    }

    [Fact]
    public async Task AddAsync_ManyStaleLines_CompactsTheFileKeepingLiveEntries()
    {
        // Eleven revokes of 100 ids each, one second apart, with room for 100: the file outgrows 1024 lines.
        using (var revoked = Open(maxEntries: 100))
        {
            for (var batch = 0; batch < 11; batch++)
            {
                await revoked.AddAsync(Enumerable.Range(batch * 100, 100).Select(i => $"id-{i}").ToArray(), default);
                _time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        var lines = await File.ReadAllLinesAsync(Path.Combine(_directory, "w1@vm.revoked"));
        Assert.InRange(lines.Length, 100, 1024);
        Assert.False(File.Exists(Path.Combine(_directory, "w1@vm.revoked.tmp")));

        using var reopened = Open(maxEntries: 100);
        Assert.Equal(Enumerable.Range(1000, 100).Select(i => $"id-{i}").Order(StringComparer.Ordinal), (await reopened.ListAsync(default)).Order(StringComparer.Ordinal));
    }

    private FileRevokedTasks Open(string hostname = "w1@vm", int maxEntries = 50_000) => new(
        Options.Create(new WorkerOptions { Hostname = hostname, StateDirectory = _directory }),
        Options.Create(new RevocationOptions { MaxEntries = maxEntries }),
        _time,
        NullLogger<FileRevokedTasks>.Instance);
}
