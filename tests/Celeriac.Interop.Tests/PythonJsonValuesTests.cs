using System.Text.Json;
using Celeriac.Interop.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Interop.Tests;

/// <summary>
/// Values Celery's JSON carries that standard JSON does not, or that System.Text.Json's defaults refused: NaN and
/// Infinity, nesting deeper than 64, lone surrogates, integers beyond 64 bits; and a sleep length Python refuses.
/// A real Python Celery client sends them to a <c>celeriac worker</c> and checks, in Python, what comes back.
/// </summary>
public sealed class PythonJsonValuesTests : IClassFixture<PythonJsonValuesTests.Fixture>, IDisposable
{
    private readonly Fixture _fixture;

    public PythonJsonValuesTests(Fixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        fixture.Log.Attach(output.WriteLine);
    }

    public void Dispose() => _fixture.Log.Detach();

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Echo_NaNAndInfinity_ComeBackAsPythonFloats()
    {
        var reply = await CallAsync("tasks.echo", "[float('nan'), float('inf'), -float('inf'), 1.5]");

        Assert.Equal("{'args': [nan, inf, -inf, 1.5], 'kwargs': {}}", Repr(reply));
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Echo_Nested500Deep_ComesBackWhole()
    {
        var reply = await CallAsync("tasks.echo", "[__import__('functools').reduce(lambda inner, _: [inner], range(500), 0)]");

        Assert.Equal("{'args': [" + new string('[', 500) + "0" + new string(']', 500) + "], 'kwargs': {}}", Repr(reply));
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Echo_LoneSurrogates_ComeBackUnchanged()
    {
        var reply = await CallAsync("tasks.echo", "['\\ud800', 'a\\udc00b', '\\U0001f600']");

        Assert.Equal("{'args': ['\\ud800', 'a\\udc00b', '\U0001f600'], 'kwargs': {}}", Repr(reply));
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Add_IntegerBeyond64Bits_ReturnsTheExactInteger()
    {
        var reply = await CallAsync("tasks.add", "[2**70, 1]");

        Assert.Equal("1180591620717411303425", Repr(reply));
        Assert.Equal("int", reply.GetProperty("type").GetString());
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Add_NaNAndInteger_ReturnsNaN()
    {
        var reply = await CallAsync("tasks.add", "[float('nan'), 1]");

        Assert.Equal("nan", Repr(reply));
        Assert.Equal("float", reply.GetProperty("type").GetString());
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [InlineData("[-0.001]", "sleep length must be non-negative")]
    [InlineData("[float('nan')]", "Invalid value NaN (not a number)")]
    public async Task Sleep_LengthPythonRefuses_RaisesValueErrorAtOnce(string args, string message)
    {
        var reply = await CallAsync("tasks.sleep", args);

        Assert.True(reply.TryGetProperty("error", out var error), $"tasks.sleep{args} should have raised, got {reply}");
        Assert.Equal("ValueError", error.GetProperty("type").GetString());
        Assert.Equal(message, error.GetProperty("message").GetString());
    }

    private async Task<JsonElement> CallAsync(string task, string args)
    {
        var reply = await _fixture.Python.CallPythonAsync(task, args, TestTimeouts.Short);
        return reply;
    }

    private static string Repr(JsonElement reply) =>
        reply.TryGetProperty("repr", out var repr) ? repr.GetString()! : throw new Xunit.Sdk.XunitException($"Expected a result, got {reply}");

    /// <summary>One vhost, one <c>celeriac worker</c> and one Python client for the class.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        private RabbitMqVirtualHost? _virtualHost;
        private WorkerNode? _worker;
        private PythonClient? _python;

        public LogRelay Log { get; } = new();

        public PythonClient Python => _python ?? throw new InvalidOperationException("The fixture has not started.");

        public async Task InitializeAsync()
        {
            _virtualHost = await RabbitMqVirtualHost.CreateAsync("interop-json");
            _worker = await WorkerNode.StartCeleriacAsync(_virtualHost, Log.WriteLine);
            _python = await PythonClient.StartAsync(_virtualHost, Log.WriteLine);
        }

        public async Task DisposeAsync()
        {
            if (_python is not null)
            {
                await _python.DisposeAsync();
            }

            if (_worker is not null)
            {
                await _worker.DisposeAsync();
            }

            if (_virtualHost is not null)
            {
                await _virtualHost.DisposeAsync();
            }
        }
    }
}
