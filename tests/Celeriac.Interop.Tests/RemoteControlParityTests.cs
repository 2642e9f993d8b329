using System.Text.Json;
using Celeriac.Interop.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Interop.Tests;

/// <summary>
/// Issue 11, remote control: Python Celery's <c>app.control</c> and <c>inspect()</c> send the same commands to a real
/// Celery worker and to <c>celeriac worker</c>; Celeriac's replies are Celery's, byte for byte where nothing
/// machine-specific is in them, key for key where something is.
/// </summary>
public sealed class RemoteControlParityTests : IClassFixture<RemoteControlParityFixture>, IAsyncLifetime
{
    private readonly RemoteControlParityFixture _fixture;

    public RemoteControlParityTests(RemoteControlParityFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        fixture.Log.Attach(output.WriteLine);
    }

    private PythonClient Python => _fixture.Python;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _fixture.Log.Detach();
        return Task.CompletedTask;
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task InspectActiveQueues_IdleWorkers_ReplyTheSame()
    {
        var (celery, celeriac) = await InspectBothAsync("active_queues");

        Assert.Equal("celery", celery[0].GetProperty("name").GetString());
        AssertJson.Equal(celery.GetRawText(), celeriac);
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [InlineData("tasks.add", "10/m")]
    [InlineData("tasks.add", null)]
    [InlineData("tasks.add", "x/y")]
    [InlineData("tasks.add", "abc/s")]
    [InlineData("tasks.nope", "1/s")]
    public async Task ControlRateLimit_EveryKindOfRate_RepliesTheSame(string task, string? rate)
    {
        var (celery, celeriac) = await ControlBothAsync("rate_limit", [task, rate]);

        AssertJson.Equal(celery.GetRawText(), celeriac);
        await ControlBothAsync("rate_limit", ["tasks.add", null]);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task ControlRateLimit_Set_ShowsInInspectRegisteredAsCelery()
    {
        await ControlBothAsync("rate_limit", ["tasks.add", "10/m"]);
        try
        {
            var (celery, celeriac) = await InspectBothAsync("registered");

            Assert.Contains("tasks.add [rate_limit=10/m]", celery.EnumerateArray().Select(e => e.GetString()));
            Assert.Contains("tasks.add [rate_limit=10/m]", celeriac.EnumerateArray().Select(e => e.GetString()));
        }
        finally
        {
            await ControlBothAsync("rate_limit", ["tasks.add", null]);
        }
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [InlineData("tasks.add")]
    [InlineData("tasks.nope")]
    public async Task ControlTimeLimit_KnownAndUnknownTask_RepliesTheSame(string task)
    {
        var (celery, celeriac) = await ControlBothAsync("time_limit", [task], new Dictionary<string, object?> { ["soft"] = 10.0, ["hard"] = 20.0 });

        AssertJson.Equal(celery.GetRawText(), celeriac);
        await ControlBothAsync("time_limit", ["tasks.add"]);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task ControlHeartbeat_WithReply_RepliesNullAsCelery()
    {
        var (celery, celeriac) = await ControlBothAsync("heartbeat", []);

        Assert.Equal(JsonValueKind.Null, celery.ValueKind);
        Assert.Equal(JsonValueKind.Null, celeriac.ValueKind);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task InspectConf_SameBrokerUrlMaskAndResultBackend()
    {
        var (celery, celeriac) = await InspectBothAsync("conf");

        Assert.Equal(JsonValueKind.Object, celeriac.ValueKind);
        Assert.Contains("********", celery.GetProperty("broker_url").GetString(), StringComparison.Ordinal);
        Assert.Equal(celery.GetProperty("broker_url").GetString(), celeriac.GetProperty("broker_url").GetString());
        Assert.Equal(celery.GetProperty("result_backend").GetString(), celeriac.GetProperty("result_backend").GetString());
        Assert.DoesNotContain("guest:guest", celeriac.GetRawText(), StringComparison.Ordinal);

        var (celeryAll, celeriacAll) = await InspectBothAsync("conf", new Dictionary<string, object?> { ["with_defaults"] = true });
        foreach (var key in new[] { "task_serializer", "result_serializer", "accept_content", "task_default_queue", "event_exchange" })
        {
            AssertJson.Equal(celeryAll.GetProperty(key).GetRawText(), celeriacAll.GetProperty(key));
        }
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task InspectReport_HasCelerysBugReportLayout()
    {
        var (celery, celeriac) = await InspectBothAsync("report");

        var celeryLines = celery.GetProperty("ok").GetString()!.Split('\n');
        var celeriacLines = celeriac.GetProperty("ok").GetString()!.Split('\n');
        // Each header line's label ("software -> ", "platform -> ", "loader   -> ", "settings -> "), continuation lines and the blank ones.
        static string Label(string line) => line.Contains("->", StringComparison.Ordinal) ? line[..line.IndexOf("->", StringComparison.Ordinal)]
            : line.StartsWith("            ", StringComparison.Ordinal) ? "(continued)" : line;
        Assert.Equal(celeryLines.Take(8).Select(Label), celeriacLines.Take(8).Select(Label));
        Assert.StartsWith("settings -> transport:", celeriacLines[6], StringComparison.Ordinal);
        Assert.Contains(celeryLines, l => l.StartsWith("broker_url: 'amqp://guest:********@", StringComparison.Ordinal));
        Assert.Contains(celeriacLines, l => l == celeryLines.First(c => c.StartsWith("broker_url: ", StringComparison.Ordinal)));
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task InspectStats_BrokerSection_HasCelerysKeysAndTheSameConnection()
    {
        var (celery, celeriac) = await InspectBothAsync("stats");

        var celeryBroker = celery.GetProperty("broker");
        var celeriacBroker = celeriac.GetProperty("broker");
        Assert.Equal(celeryBroker.EnumerateObject().Select(p => p.Name), celeriacBroker.EnumerateObject().Select(p => p.Name));
        foreach (var key in new[] { "hostname", "userid", "virtual_host", "port", "insist", "ssl", "login_method", "failover_strategy" })
        {
            AssertJson.Equal(celeryBroker.GetProperty(key).GetRawText(), celeriacBroker.GetProperty(key));
        }

        var keys = celeriac.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(keys.IndexOf("pool") + 1, keys.IndexOf("broker"));
        Assert.Equal(JsonValueKind.Number, celeriacBroker.GetProperty("heartbeat").ValueKind);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task ControlAddAndCancelConsumer_RepliesAndActiveQueuesAreCelerys()
    {
        const string queue = "parity-added";
        var (celeryAdded, celeriacAdded) = await ControlBothAsync("add_consumer", [queue]);
        try
        {
            Assert.Equal($"add consumer {queue}", celeryAdded.GetProperty("ok").GetString());
            AssertJson.Equal(celeryAdded.GetRawText(), celeriacAdded);
            // Celery consumes a little after it replied; Celeriac before it replies.
            var celery = await EventuallyActiveQueuesAsync(_fixture.Celery.Name, queues => queues.Contains(queue));
            var celeriac = Reply(await Python.InspectAsync("active_queues", _fixture.Celeriac.Name, new Dictionary<string, object?>()), _fixture.Celeriac.Name);
            AssertJson.Equal(celery.GetRawText(), celeriac);
        }
        finally
        {
            var (celeryCancelled, celeriacCancelled) = await ControlBothAsync("cancel_consumer", [queue]);
            Assert.Equal($"no longer consuming from {queue}", celeryCancelled.GetProperty("ok").GetString());
            AssertJson.Equal(celeryCancelled.GetRawText(), celeriacCancelled);
        }

        var celeryAfter = await EventuallyActiveQueuesAsync(_fixture.Celery.Name, queues => !queues.Contains(queue));
        var celeriacAfter = Reply(await Python.InspectAsync("active_queues", _fixture.Celeriac.Name, new Dictionary<string, object?>()), _fixture.Celeriac.Name);
        AssertJson.Equal(celeryAfter.GetRawText(), celeriacAfter);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task ControlPoolGrowAndShrink_ReplyTheSame()
    {
        var (celeryGrown, celeriacGrown) = await ControlBothAsync("pool_grow", [], new Dictionary<string, object?> { ["n"] = 1 });
        var (celeryShrunk, celeriacShrunk) = await ControlBothAsync("pool_shrink", [], new Dictionary<string, object?> { ["n"] = 1 });

        Assert.Equal("pool will grow", celeryGrown.GetProperty("ok").GetString());
        AssertJson.Equal(celeryGrown.GetRawText(), celeriacGrown);
        Assert.Equal("pool will shrink", celeryShrunk.GetProperty("ok").GetString());
        AssertJson.Equal(celeryShrunk.GetRawText(), celeriacShrunk);
    }

    private async Task<JsonElement> EventuallyActiveQueuesAsync(string node, Func<IReadOnlyList<string>, bool> condition)
    {
        JsonElement reply = default;
        await Eventually.WaitAsync(async () =>
        {
            reply = Reply(await Python.InspectAsync("active_queues", node, new Dictionary<string, object?>()), node);
            return condition(reply.EnumerateArray().Select(q => q.GetProperty("name").GetString()!).ToArray());
        }, TestTimeouts.Short, $"{node}'s active_queues to change");
        return reply;
    }

    private async Task<(JsonElement Celery, JsonElement Celeriac)> InspectBothAsync(string method, IReadOnlyDictionary<string, object?>? kwargs = null)
    {
        kwargs ??= new Dictionary<string, object?>();
        var celery = await Python.InspectAsync(method, _fixture.Celery.Name, kwargs);
        var celeriac = await Python.InspectAsync(method, _fixture.Celeriac.Name, kwargs);
        return (Reply(celery, _fixture.Celery.Name), Reply(celeriac, _fixture.Celeriac.Name));
    }

    private async Task<(JsonElement Celery, JsonElement Celeriac)> ControlBothAsync(string method, object?[] args,
        IReadOnlyDictionary<string, object?>? kwargs = null)
    {
        var celery = await Python.ControlAsync(method, _fixture.Celery.Name, args, kwargs);
        var celeriac = await Python.ControlAsync(method, _fixture.Celeriac.Name, args, kwargs);
        return (Single(celery, _fixture.Celery.Name), Single(celeriac, _fixture.Celeriac.Name));
    }

    // inspect(): {node: reply}, or null when the node did not answer in time.
    private static JsonElement Reply(JsonElement replies, string node)
    {
        if (replies.ValueKind != JsonValueKind.Object || !replies.TryGetProperty(node, out var reply))
        {
            throw new Xunit.Sdk.XunitException($"{node} did not answer: {replies}");
        }

        return reply;
    }

    // app.control.*(reply=True): [{node: reply}].
    private static JsonElement Single(JsonElement replies, string node)
    {
        Assert.True(replies.ValueKind == JsonValueKind.Array && replies.GetArrayLength() == 1, $"expected one reply from {node}: {replies}");
        return Reply(replies[0], node);
    }
}
