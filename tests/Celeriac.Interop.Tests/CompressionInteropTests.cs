using Celeriac.Interop.Tests.Support;

namespace Celeriac.Interop.Tests;

/// <summary>
/// Issue 11, compression: Python Celery sends <c>tasks.add</c> with every compression kombu offers on Debian
/// (<c>apply_async(compression=...)</c>), and <c>celeriac worker</c> runs it.
/// </summary>
public sealed class CompressionInteropTests : IClassFixture<PythonClientToCeleriacWorkerFixture>, IAsyncLifetime
{
    private readonly PythonClientToCeleriacWorkerFixture _fixture;

    public CompressionInteropTests(PythonClientToCeleriacWorkerFixture fixture, ITestOutputHelper output)
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

    [Theory(Timeout = TestTimeouts.Test)]
    [InlineData("bzip2")]
    [InlineData("lzma")]
    [InlineData("zlib")]
    public async Task SendTask_CompressedBody_RunsAndReturnsTheSum(string compression)
    {
        var id = await _fixture.Python.SendTaskWithOptionsAsync("tasks.add", [20, 22], new Dictionary<string, object?> { ["compression"] = compression });

        var outcome = await _fixture.Python.GetAsync(id, TestTimeouts.Short);

        Assert.Null(outcome.Error);
        Assert.Equal(42, outcome.Result?.GetInt32());
        await _fixture.Worker.WaitForLogAsync($"Task tasks.add[{id}] succeeded in");
    }
}
