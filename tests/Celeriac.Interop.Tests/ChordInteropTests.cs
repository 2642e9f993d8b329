using Celeriac.Interop.Tests.Support;

namespace Celeriac.Interop.Tests;

/// <summary>
/// Issue 11, chords: Python Celery 5.2.6 on rpc:// sends a chord's header (<c>group.apply_async(chord=body)</c>, since
/// <c>chord(...)()</c> itself refuses rpc://) and <c>celeriac worker</c> counts the parts in its SQLite store and runs the body.
/// </summary>
public sealed class ChordInteropTests : IClassFixture<PythonClientToCeleriacWorkerFixture>, IAsyncLifetime
{
    private readonly PythonClientToCeleriacWorkerFixture _fixture;

    public ChordInteropTests(PythonClientToCeleriacWorkerFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        fixture.Log.Attach(output.WriteLine);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _fixture.Log.Detach();
        return Task.CompletedTask;
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Chord_AddsIntoXsum_GetReturnsTheSum()
    {
        var (id, parts) = await _fixture.Python.SendChordAsync(["add.s(1, 1)", "add.s(2, 2)", "add.s(3, 3)"], "s('tasks.xsum')");

        var outcome = await _fixture.Python.GetAsync(id, TestTimeouts.Long);

        Assert.Null(outcome.Error);
        Assert.Equal(12, outcome.Result?.GetInt32());
        Assert.Equal(3, parts.Length);
        var received = await _fixture.Events.WaitForAsync("task-received", id);
        Assert.Contains(received.GetProperty("parent_id").GetString(), parts);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Chord_BodyGetsTheResultsInHeaderOrder()
    {
        var (id, _) = await _fixture.Python.SendChordAsync(["add.s(1, 1)", "add.s(10, 10)", "add.s(100, 100)", "add.s(1000, 1000)"], "s('tasks.echo', 'end')");

        var outcome = await _fixture.Python.GetAsync(id, TestTimeouts.Long);

        Assert.Null(outcome.Error);
        AssertJson.Equal("""{"args": [[2, 20, 200, 2000], "end"], "kwargs": {}}""", outcome.Result!.Value);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Chord_FailingPart_GetRaisesChordErrorNamingThePart()
    {
        var (id, parts) = await _fixture.Python.SendChordAsync(["add.s(1, 1)", "s('tasks.fail', 'boom')"], "s('tasks.xsum')");

        var outcome = await _fixture.Python.GetAsync(id, TestTimeouts.Long);

        Assert.Equal("ChordError", outcome.Error?.Type);
        Assert.Equal($"Dependency {parts[1]} raised InvalidOperationException('boom')", outcome.Error?.Message);
        Assert.DoesNotContain("task-received", _fixture.Events.TypesFor(id));
    }
}
