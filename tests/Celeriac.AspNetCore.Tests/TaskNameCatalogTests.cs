using Celeriac.AspNetCore.Api;
using Celeriac.Core.Control;
using Celeriac.Core.Tasks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Celeriac.AspNetCore.Tests;

public sealed class TaskNameCatalogTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly ScriptedWorkers _workers = new();

    [Theory]
    [InlineData("shop.*", "shop.send_invoice", true)]
    [InlineData("shop.*", "shop.", true)]
    [InlineData("shop.*", "shopping.list", false)]
    [InlineData("*.send_*", "shop.send_invoice", true)]
    [InlineData("shop.send_invoic?", "shop.send_invoice", true)]
    [InlineData("shop.send_invoic?", "shop.send_invoices", false)]
    [InlineData("*", "anything.at.all", true)]
    [InlineData("Shop.*", "shop.send_invoice", false)]
    public void Matches_PatternAndName_MatchesGlobally(string pattern, string name, bool expected) =>
        Assert.Equal(expected, TaskNamePattern.Matches(pattern, name));

    [Fact]
    public void Matches_HostileName_ReturnsQuickly()
    {
        // A pattern with many stars against a long name must not backtrack exponentially.
        Assert.False(TaskNamePattern.Matches("*a*a*a*a*a*a*a*a*b", new string('a', 10_000)));
    }

    [Fact]
    public async Task ContainsAsync_NameAWorkerRegistered_IsKnownAfterAskingTheWorkers()
    {
        _workers.Replies["py@host"] = ["shop.send_invoice", "shop.refund"];
        var catalog = Create();

        Assert.True(await catalog.ContainsAsync("shop.send_invoice", default));
        Assert.True(await catalog.ContainsAsync("shop.refund", default));
        Assert.Equal(1, _workers.Calls);
        Assert.Contains("shop.refund", catalog.Known);
    }

    [Fact]
    public async Task ContainsAsync_UnknownNames_AskTheWorkersAtMostEveryTwoSeconds()
    {
        var catalog = Create();

        Assert.False(await catalog.ContainsAsync("nope.one", default));
        Assert.False(await catalog.ContainsAsync("nope.two", default));
        Assert.Equal(1, _workers.Calls);

        _time.Advance(TimeSpan.FromSeconds(2));
        _workers.Replies["py@host"] = ["nope.two"];
        Assert.True(await catalog.ContainsAsync("nope.two", default));
        Assert.Equal(2, _workers.Calls);
    }

    [Fact]
    public async Task ContainsAsync_NoWorkerAnswers_KeepsTheNamesLastHeard()
    {
        _workers.Replies["py@host"] = ["shop.send_invoice"];
        var catalog = Create();
        Assert.True(await catalog.ContainsAsync("shop.send_invoice", default));

        _workers.Replies.Clear();
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.False(await catalog.ContainsAsync("other.task", default));

        Assert.True(await catalog.ContainsAsync("shop.send_invoice", default));
    }

    [Fact]
    public async Task ContainsAsync_DiscoveryOff_NeverAsksTheWorkers()
    {
        _workers.Replies["py@host"] = ["shop.send_invoice"];
        var options = new TaskApiOptions { DiscoverWorkerTasks = false };
        options.Tasks.Add("billing.charge");
        var catalog = Create(options);

        Assert.False(await catalog.ContainsAsync("shop.send_invoice", default));
        Assert.True(await catalog.ContainsAsync("billing.charge", default));
        Assert.Equal(0, _workers.Calls);
    }

    [Fact]
    public async Task ContainsAsync_BrokerAway_AnswersFalse()
    {
        _workers.Failure = new IOException("connection refused");

        Assert.False(await Create().ContainsAsync("shop.send_invoice", default));
    }

    private TaskNameCatalog Create(TaskApiOptions? options = null) =>
        new(new TaskRegistry(Options.Create(new TaskRegistryOptions())), [_workers], Options.Create(options ?? new TaskApiOptions()), _time,
            NullLogger<TaskNameCatalog>.Instance);

    private sealed class ScriptedWorkers : IWorkerTaskQuery
    {
        public Dictionary<string, IReadOnlyList<string>> Replies { get; } = new(StringComparer.Ordinal);

        public Exception? Failure { get; set; }

        public int Calls { get; private set; }

        public Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> GetRegisteredAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            Calls++;
            return Failure is not null
                ? Task.FromException<IReadOnlyDictionary<string, IReadOnlyList<string>>>(Failure)
                : Task.FromResult<IReadOnlyDictionary<string, IReadOnlyList<string>>>(new Dictionary<string, IReadOnlyList<string>>(Replies));
        }
    }
}
