using System.Net;
using Celeriac.Server.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Server.Tests.Interop;

/// <summary>
/// <c>celeriac serve --no-worker</c> in front of a real Python Celery worker whose task (<c>shop.send_invoice</c>) no
/// Celeriac process defines: the API learns the name from the worker's <c>registered</c> reply, the Python worker runs
/// the task, and its rpc:// result becomes the record <c>GET</c> shows.
/// </summary>
public sealed class PythonWorkerBehindApiTests(PythonWorkerBehindApiTests.PythonWorkerFixture fixture, ITestOutputHelper output)
    : ServerTest<PythonWorkerBehindApiTests.PythonWorkerFixture>(fixture, output), IClassFixture<PythonWorkerBehindApiTests.PythonWorkerFixture>
{
    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Post_TaskOnlyThePythonWorkerDefines_Answers202AndGetShowsItsResult()
    {
        var id = await Api.SendAsync("shop.send_invoice", """{"args": [1001], "kwargs": {"amount": 25.5}}""");

        var done = await Api.WaitForFinalAsync(id);

        Assert.Equal("SUCCESS", done.State);
        Assert.Equal("""{"order":1001,"amount":25.5,"sent":true}""", done.Json.GetProperty("result").GetRawText());
        Assert.Equal("shop.send_invoice", done.Json.GetProperty("name").GetString());
        await Fixture.Worker.WaitForLineAsync($"Task shop.send_invoice[{id}] succeeded", TestTimeouts.Short);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Post_NameNoWorkerRegisteredOrConfigured_Answers404()
    {
        var answer = await Api.EnqueueAsync("shop.steal_invoice", "{}");

        answer.AssertStatus(HttpStatusCode.NotFound, "no worker registered shop.steal_invoice and no pattern names it");
        Assert.Contains("shop.send_invoice", answer.Json.GetProperty("registered").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Post_NameMatchingTheTaskOption_Answers202AndRecordsWhatTheWorkerSays()
    {
        var id = await Api.SendAsync("billing.charge", """{"args": [7]}""");

        // Accepted because --task billing.* names it; the Python worker takes it from the queue and refuses it.
        var done = await Api.WaitForFinalAsync(id);
        Assert.Equal("FAILURE", done.State);
        Assert.Equal("NotRegistered", done.Json.GetProperty("exception").GetProperty("type").GetString());
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Post_WithTelemetryOn_ThePythonTaskSeesTheApisSendSpanAsItsParent()
    {
        var id = await Api.SendAsync("shop.trace_context", "{}");

        var done = await Api.WaitForFinalAsync(id);

        // 00-<trace id>-<span id>-<flags>: the span the API exported for this send.
        var traceParent = done.Json.GetProperty("result").GetString() ?? throw new Xunit.Sdk.XunitException($"the task saw no traceparent: {done}");
        var parts = traceParent.Split('-');
        Assert.Equal(4, parts.Length);
        await Fixture.Server.Process.WaitForLineAsync(l => l.Contains("Activity.TraceId:", StringComparison.Ordinal) && l.EndsWith(parts[1], StringComparison.Ordinal),
            TestTimeouts.Short, $"the API's exported span of trace {parts[1]}");
        Assert.Contains(Fixture.Server.Process.Lines, l => l.Contains("Activity.SpanId:", StringComparison.Ordinal) && l.EndsWith(parts[2], StringComparison.Ordinal));
        Assert.Contains(Fixture.Server.Process.Lines, l => l.Contains("Activity.DisplayName:", StringComparison.Ordinal) && l.EndsWith("apply_async/shop.trace_context", StringComparison.Ordinal));
    }

    /// <summary><c>serve --no-worker --task billing.* --otel-exporter console</c>, and a Python Celery worker with <c>shop.py</c> on the same vhost.</summary>
    public sealed class PythonWorkerFixture : ServerFixture
    {
        private ManagedProcess? _worker;

        public ManagedProcess Worker => _worker ?? throw new InvalidOperationException("The fixture has not started.");

        protected override string VirtualHostPrefix => "server-pyworker";

        protected override bool RunsWorker => false;

        protected override IEnumerable<string> ExtraArguments => ["--task", "billing.*", "--otel-exporter", "console"];

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            _worker = ManagedProcess.Start(TestEnvironment.Python,
                ["-m", "celery", "-A", "shop", "worker", "--loglevel=info", "--concurrency=1", "-n", $"shop-{Guid.NewGuid().ToString("N")[..6]}@%h",
                    "--without-mingle", "--without-gossip"],
                new Dictionary<string, string> { ["CELERY_BROKER_URL"] = VirtualHost.PyAmqpUrl },
                workingDirectory: Path.Combine(AppContext.BaseDirectory, "Python"), log: Log.WriteLine, label: "python-worker");
            await _worker.WaitForLineAsync(" ready.", TestTimeouts.Long);
        }

        public override async Task DisposeAsync()
        {
            if (_worker is not null)
            {
                await _worker.DisposeAsync();
            }

            await base.DisposeAsync();
        }
    }
}
