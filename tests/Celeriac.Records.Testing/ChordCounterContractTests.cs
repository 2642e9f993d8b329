using Celeriac.Core.Protocol;
using Celeriac.Core.Records;

namespace Celeriac.Records.Testing;

/// <summary>
/// What every <see cref="IChordCounter"/> promises: parts are counted once per id, exactly the completing part is
/// told to send the body (again on its redelivery, until the body is marked sent), results come back in header order.
/// </summary>
public abstract class ChordCounterContractTests : IAsyncLifetime
{
    protected const int Timeout = 60_000;

    private IChordCounter? _counter;

    protected IChordCounter Counter => _counter ?? throw new InvalidOperationException("The counter is created in InitializeAsync.");

    /// <summary>A new counter over an empty store.</summary>
    protected abstract Task<IChordCounter> CreateCounterAsync();

    public async Task InitializeAsync() => _counter = await CreateCounterAsync();

    public virtual Task DisposeAsync()
    {
        (_counter as IDisposable)?.Dispose();
        return Task.CompletedTask;
    }

    protected static ChordPart Part(string group, int size, string taskId, int index, object? value = null, string? error = null) =>
        new(group, size, taskId, index, CeleryJson.ToElement(value ?? index), error);

    [Fact(Timeout = Timeout)]
    public async Task CountPartAsync_AllPartsInAnyOrder_OnlyTheLastSendsTheBodyWithResultsInIndexOrder()
    {
        var first = await Counter.CountPartAsync(Part("g1", 3, "c", 2, 30), default);
        var second = await Counter.CountPartAsync(Part("g1", 3, "a", 0, 10), default);
        var last = await Counter.CountPartAsync(Part("g1", 3, "b", 1, 20), default);

        Assert.Equal((1, 3, false), (first.Finished, first.Size, first.SendBody));
        Assert.Equal((2, false), (second.Finished, second.SendBody));
        Assert.Equal((3, true), (last.Finished, last.SendBody));
        Assert.Equal(["a", "b", "c"], last.Parts.Select(p => p.TaskId));
        Assert.Equal([10, 20, 30], last.Parts.Select(p => p.Value.GetInt32()));
    }

    [Fact(Timeout = Timeout)]
    public async Task CountPartAsync_SamePartTwice_CountsItOnce()
    {
        await Counter.CountPartAsync(Part("g1", 2, "a", 0), default);
        var again = await Counter.CountPartAsync(Part("g1", 2, "a", 0), default);

        Assert.Equal(1, again.Finished);
        Assert.False(again.SendBody);
    }

    [Fact(Timeout = Timeout)]
    public async Task CountPartAsync_EarlierPartRedeliveredAfterCompletion_DoesNotSendTheBody()
    {
        await Counter.CountPartAsync(Part("g1", 2, "a", 0), default);
        Assert.True((await Counter.CountPartAsync(Part("g1", 2, "b", 1), default)).SendBody);

        var redelivered = await Counter.CountPartAsync(Part("g1", 2, "a", 0), default);

        Assert.Equal(2, redelivered.Finished);
        Assert.False(redelivered.SendBody);
    }

    [Fact(Timeout = Timeout)]
    public async Task CountPartAsync_CompletingPartRedeliveredBeforeBodyMarkedSent_SendsTheBodyAgain()
    {
        await Counter.CountPartAsync(Part("g1", 2, "a", 0), default);
        await Counter.CountPartAsync(Part("g1", 2, "b", 1), default);

        var redelivered = await Counter.CountPartAsync(Part("g1", 2, "b", 1), default);

        Assert.True(redelivered.SendBody);
        Assert.Equal(["a", "b"], redelivered.Parts.Select(p => p.TaskId));
    }

    [Fact(Timeout = Timeout)]
    public async Task MarkBodySentAsync_ThenCompletingPartRedelivered_DoesNotSendTheBodyAgain()
    {
        await Counter.CountPartAsync(Part("g1", 2, "a", 0), default);
        await Counter.CountPartAsync(Part("g1", 2, "b", 1), default);
        await Counter.MarkBodySentAsync("g1", default);

        var redelivered = await Counter.CountPartAsync(Part("g1", 2, "b", 1), default);

        Assert.False(redelivered.SendBody);
        Assert.Empty(redelivered.Parts);
    }

    [Fact(Timeout = Timeout)]
    public async Task CountPartAsync_FailedPart_KeepsItsErrorAndValueJson()
    {
        await Counter.CountPartAsync(Part("g1", 2, "a", 0, new Dictionary<string, object?> { ["x"] = new[] { 1, 2 } }), default);
        var last = await Counter.CountPartAsync(Part("g1", 2, "b", 1, value: null, error: "ValueError('boom')"), default);

        Assert.True(last.SendBody);
        Assert.Equal("""{"x":[1,2]}""", last.Parts[0].Value.GetRawText().Replace(" ", "", StringComparison.Ordinal));
        Assert.False(last.Parts[0].Failed);
        Assert.Equal("ValueError('boom')", last.Parts[1].Error);
        Assert.True(last.Parts[1].Failed);
    }

    [Fact(Timeout = Timeout)]
    public async Task CountPartAsync_TwoGroups_CountSeparately()
    {
        await Counter.CountPartAsync(Part("g1", 2, "a", 0), default);
        var other = await Counter.CountPartAsync(Part("g2", 2, "b", 0), default);

        Assert.Equal(1, other.Finished);
        Assert.False(other.SendBody);
    }

    [Fact(Timeout = Timeout)]
    public async Task CountPartAsync_ManyPartsAtOnce_ExactlyOneSendsTheBody()
    {
        var tallies = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
            await Counter.CountPartAsync(Part("g1", 20, $"t{i}", i), default))));

        Assert.Single(tallies, t => t.SendBody);
        Assert.Equal(Enumerable.Range(0, 20), tallies.Single(t => t.SendBody).Parts.Select(p => p.Index));
    }
}
