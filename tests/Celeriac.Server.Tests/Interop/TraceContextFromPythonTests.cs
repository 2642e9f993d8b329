using System.Security.Cryptography;
using Celeriac.Server.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Server.Tests.Interop;

/// <summary>
/// A trace that starts in Python continues in the Celeriac worker: Python Celery sends <c>traceparent</c> as a message
/// header (as OpenTelemetry's Celery instrumentation does; here set by hand through <c>apply_async(headers=...)</c>),
/// and the span the worker exports for the run (<c>--otel-exporter console</c>) is its child.
/// </summary>
public sealed class TraceContextFromPythonTests(TraceContextFromPythonTests.TracingServerFixture fixture, ITestOutputHelper output)
    : ServerTest<TraceContextFromPythonTests.TracingServerFixture>(fixture, output), IClassFixture<TraceContextFromPythonTests.TracingServerFixture>
{
    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Run_TaskSentByPythonWithATraceParent_WorkerSpanIsItsChild()
    {
        var traceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var parentSpanId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var headers = new Dictionary<string, object?> { ["traceparent"] = $"00-{traceId}-{parentSpanId}-01", ["tracestate"] = "python=1" };

        var id = await Fixture.Python.SendTaskWithOptionsAsync("tasks.add", [2, 3], new Dictionary<string, object?> { ["headers"] = headers });

        Assert.Equal("SUCCESS", (await Api.WaitForFinalAsync(id)).State);
        // The console exporter writes one block per span: its trace id, then its parent's span id, then its name.
        var process = Fixture.Server.Process;
        var traceLine = await process.WaitForLineAsync(l => l.StartsWith("Activity.TraceId:", StringComparison.Ordinal) && l.EndsWith(traceId, StringComparison.Ordinal),
            TestTimeouts.Short, $"an exported span of trace {traceId}");
        var block = process.Lines.SkipWhile(l => l != traceLine).Take(12).ToArray();
        Assert.Contains(block, l => l.StartsWith("Activity.ParentSpanId:", StringComparison.Ordinal) && l.EndsWith(parentSpanId, StringComparison.Ordinal));
        Assert.Contains(block, l => l.StartsWith("Activity.DisplayName:", StringComparison.Ordinal) && l.EndsWith("run/tasks.add", StringComparison.Ordinal));
        Assert.Contains(block, l => l.StartsWith("Activity.Kind:", StringComparison.Ordinal) && l.EndsWith("Consumer", StringComparison.Ordinal));
    }

    /// <summary><c>celeriac serve --otel-exporter console</c> with its worker, and a Python Celery client.</summary>
    public sealed class TracingServerFixture : ServerFixture
    {
        private PythonClient? _python;

        public PythonClient Python => _python ?? throw new InvalidOperationException("The fixture has not started.");

        protected override string VirtualHostPrefix => "server-tracing";

        protected override IEnumerable<string> ExtraArguments => ["--otel-exporter", "console"];

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            _python = await PythonClient.StartAsync(VirtualHost, Log.WriteLine);
        }

        public override async Task DisposeAsync()
        {
            if (_python is not null)
            {
                await _python.DisposeAsync();
            }

            await base.DisposeAsync();
        }
    }
}
