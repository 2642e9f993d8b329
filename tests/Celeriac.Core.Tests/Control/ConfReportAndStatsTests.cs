using System.Text.Json;
using Celeriac.Core.Control;
using Celeriac.Core.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Control;

/// <summary><c>conf</c>, <c>report</c>, the <c>broker</c> section of <c>stats</c> and the <c>heartbeat</c> reply.</summary>
public sealed class ConfReportAndStatsTests(ITestOutputHelper output)
{
    private static readonly BrokerConnectionInfo s_broker = new()
    {
        Transport = "amqp",
        Hostname = "127.0.0.1",
        Port = 5673,
        UserId = "guest",
        VirtualHost = "/",
        SafeUrl = "amqp://guest:********@127.0.0.1:5673//",
        Heartbeat = TimeSpan.FromSeconds(60),
        ConnectTimeout = TimeSpan.FromSeconds(30),
        Driver = "RabbitMQ.Client:7.1.2",
    };

    [Fact]
    public async Task Conf_WithoutDefaults_ListsTheWorkersSettingsUnderCelerysNamesWithTheUrlMasked()
    {
        await using var worker = TestWorker.Create(output, options: o => o.PrefetchMultiplier = 2, services: WithBroker);

        await worker.Control.HandleAsync(ControlCommand("conf"), default);

        var conf = ControlReplies.Of(worker);
        Assert.Equal("amqp://guest:********@127.0.0.1:5673//", conf.GetProperty("broker_url").GetString());
        Assert.Equal("rpc:///", conf.GetProperty("result_backend").GetString());
        Assert.True(conf.GetProperty("task_acks_late").GetBoolean());
        Assert.Equal(4, conf.GetProperty("worker_concurrency").GetInt32());
        Assert.Equal(2, conf.GetProperty("worker_prefetch_multiplier").GetInt32());
        Assert.False(conf.TryGetProperty("task_serializer", out _), $"defaults appear only with with_defaults: {conf}");
    }

    [Fact]
    public async Task Conf_WithDefaults_AddsTheDefaultsCeleriacFollows()
    {
        await using var worker = TestWorker.Create(output);

        await worker.Control.HandleAsync(ControlCommand("conf", new { with_defaults = true }), default);

        var conf = ControlReplies.Of(worker);
        Assert.Equal("json", conf.GetProperty("task_serializer").GetString());
        Assert.Equal(["json"], conf.GetProperty("accept_content").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Report_IsCelerysBugReportLayoutWithTheSettings()
    {
        await using var worker = TestWorker.Create(output, services: WithBroker);

        await worker.Control.HandleAsync(ControlCommand("report"), default);

        var report = ControlReplies.Of(worker).GetProperty("ok").GetString()!;
        var lines = report.Split('\n');
        Assert.Equal("", lines[0]);
        Assert.StartsWith("software -> celeriac:", lines[1], StringComparison.Ordinal);
        Assert.Equal("            RabbitMQ.Client:7.1.2", lines[2]);
        Assert.StartsWith("platform -> system:", lines[3], StringComparison.Ordinal);
        Assert.StartsWith("loader   -> ", lines[5], StringComparison.Ordinal);
        Assert.Equal("settings -> transport:amqp results:rpc:///", lines[6]);
        Assert.Contains("broker_url: 'amqp://guest:********@127.0.0.1:5673//'", lines);
        Assert.Contains("task_acks_late: True", lines);
    }

    [Fact]
    public async Task Stats_WithBroker_HasKombusConnectionInfoKeysAfterPool()
    {
        await using var worker = TestWorker.Create(output, services: WithBroker);

        await worker.Control.HandleAsync(ControlCommand("stats"), default);

        var stats = ControlReplies.Of(worker);
        var keys = stats.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(keys.IndexOf("pool") + 1, keys.IndexOf("broker"));
        var broker = stats.GetProperty("broker");
        Assert.Equal(
            ["hostname", "userid", "virtual_host", "port", "insist", "ssl", "transport", "connect_timeout", "transport_options", "login_method",
                "uri_prefix", "heartbeat", "failover_strategy", "alternates"],
            broker.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("127.0.0.1", 5673, "guest", "/"), (broker.GetProperty("hostname").GetString(), broker.GetProperty("port").GetInt32(),
            broker.GetProperty("userid").GetString(), broker.GetProperty("virtual_host").GetString()));
        Assert.Equal(60.0, broker.GetProperty("heartbeat").GetDouble());
    }

    [Fact]
    public async Task Stats_WithoutBroker_LeavesTheSectionOut()
    {
        await using var worker = TestWorker.Create(output);

        await worker.Control.HandleAsync(ControlCommand("stats"), default);

        Assert.False(ControlReplies.Of(worker).TryGetProperty("broker", out _));
    }

    [Fact]
    public async Task Heartbeat_WithReply_SendsTheWakeupHeartbeatAndRepliesNullAsCelery()
    {
        await using var worker = TestWorker.Create(output);

        await worker.Control.HandleAsync(ControlCommand("heartbeat"), default);

        Assert.Equal(JsonValueKind.Null, ControlReplies.Of(worker).ValueKind);
        var beat = Assert.Single(worker.Publisher.Events("worker-heartbeat"));
        Assert.Equal("5", beat.GetProperty("freq").GetRawText());
    }

    private static void WithBroker(IServiceCollection services) => services.AddSingleton<IBrokerInfo>(new FixedBroker());

    private sealed class FixedBroker : IBrokerInfo
    {
        public BrokerConnectionInfo Describe() => s_broker;
    }
}
