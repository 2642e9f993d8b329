using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Celeriac.Faults.Tests.Support;
using Celeriac.RabbitMQ.Client;
using Celeriac.Testing;
using RabbitMQ.Client;

namespace Celeriac.Faults.Tests;

/// <summary>
/// Fault test 4: poison messages on the task queue of a real <c>celeriac worker</c> process: not JSON, the wrong body
/// shape, an unknown content type, a very large body, an unregistered task, and a task that kills the worker process each
/// time it runs (<c>tasks.crash</c>, registered only with <c>CELERIAC_DEMO_CRASH_TASK=1</c>). Each is parked in
/// <c>celery_error</c> with a FAILURE record, the killer after <see cref="MaxDeliveries"/> runs (the test restarts the
/// worker after each crash, as a service manager would), and every ordinary task sent alongside succeeds.
/// </summary>
public sealed class PoisonMessageTests(ITestOutputHelper output) : OwnProcessesFaultTest(output, "poison")
{
    // WorkerOptions.MaxDeliveries' default: the CLI does not change it.
    private const int MaxDeliveries = 5;
    private const int GoodTasks = 10;
    private const string ReasonHeader = "x-celeriac-parked-reason";

    [Fact(Timeout = FaultTimeouts.Test)]
    public async Task PoisonMessages_EachKindAndAWorkerKiller_ParkedWithFailureRecordsAndOtherTasksRun()
    {
        var vhost = VirtualHost;
        var environment = new Dictionary<string, string> { [DemoTasksCrashVariable] = "1" };
        var worker = await StartWorkerAsync(vhost, environment);
        await using var client = CeleryClient.Create(vhost.AmqpUrl);
        await using var connection = await new ConnectionFactory { Uri = new Uri(vhost.AmqpUrl), AutomaticRecoveryEnabled = false }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();

        var crash = await client.SendAsync("tasks.crash");
        var poisons = new Dictionary<string, string>
        {
            [await PublishAsync(channel, "tasks.add", "application/json", Encoding.UTF8.GetBytes("this is {not json"))] = "not JSON",
            [await PublishAsync(channel, "tasks.add", "application/json", Encoding.UTF8.GetBytes("""{"args": [2, 3]}"""))] = "wrong body shape",
            [await PublishAsync(channel, "tasks.add", "application/x-python-serialize", [0x80, 0x04, 0x95, 0x1a, 0x00, 0x4b, 0x02, 0x86, 0x94, 0x2e])] = "unknown content type",
            [await PublishAsync(channel, "tasks.add", "application/json", Encoding.UTF8.GetBytes("[" + new string('9', 8 * 1024 * 1024)))] = "very large body (8 MiB)",
            [await PublishAsync(channel, "tasks.nope", "application/json", Encoding.UTF8.GetBytes("""[[], {}, {"callbacks": null, "errbacks": null, "chain": null, "chord": null}]"""))] = "unregistered task",
        };
        var good = new List<(AsyncResult Result, int Expected)>();
        for (var i = 0; i < GoodTasks; i++)
        {
            good.Add((await client.SendAsync("tasks.add", i, 1000), i + 1000));
        }

        // The worker dies each time it runs tasks.crash; started again each time, until the message is parked.
        var parked = new Dictionary<string, string>(StringComparer.Ordinal);
        var crashes = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(240);
        while (!parked.ContainsKey(crash.Id))
        {
            Assert.True(DateTime.UtcNow < deadline, $"tasks.crash should be parked after {MaxDeliveries} runs; {crashes} crashes so far, parked: {string.Join(", ", parked.Values)}");
            if (worker.HasExited)
            {
                crashes++;
                Output.WriteLine($"---- the worker died (exit code {worker.ExitCode}); crash {crashes}, starting it again ----");
                await worker.DisposeAsync();
                worker = await StartWorkerAsync(vhost, environment);
                continue;
            }

            await DrainParkedAsync(channel, parked);
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        try
        {
            var sums = new List<int>();
            foreach (var (result, expected) in good)
            {
                var value = await result.GetAsync(FaultTimeouts.Long);
                Assert.Equal(expected, value.GetInt32());
                sums.Add(value.GetInt32());
            }

            await Eventually.WaitAsync(async () =>
            {
                await DrainParkedAsync(channel, parked);
                return poisons.Keys.All(parked.ContainsKey);
            }, FaultTimeouts.Short, $"every poison message in celery_error (parked: {string.Join(", ", parked.Values)})");
            Assert.Contains("Delivered 6 times without finishing", parked[crash.Id], StringComparison.Ordinal);
            Assert.Equal(MaxDeliveries, crashes);

            // Every poison message with an id has a FAILURE record (read through an API server on the worker's data).
            await using var api = await CeleriacServerProcess.StartAsync(vhost, DataDirectory, Log.WriteLine, worker: false);
            using var http = api.CreateClient();
            var records = new List<string>();
            foreach (var (id, kind) in poisons.Append(new(crash.Id, "worker killer")))
            {
                using var response = await http.GetAsync($"api/tasks/{id}");
                var text = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"the {kind} task {id} should have a final record: {(int)response.StatusCode} {text}");
                var record = JsonDocument.Parse(text).RootElement;
                Assert.Equal("FAILURE", record.GetProperty("state").GetString());
                records.Add($"{kind}: {record.GetProperty("exception").GetProperty("type").GetString()}");
            }

            Assert.Contains("worker killer: WorkerLostError", records);
            Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"FIGURES poison: kinds {poisons.Count + 1}, parked {parked.Count}, FAILURE records {records.Count} ({string.Join("; ", records)}); " +
                $"worker crashes {crashes} (MaxDeliveries {MaxDeliveries}), ordinary tasks {GoodTasks} sent alongside, {sums.Count} succeeded"));
        }
        finally
        {
            await worker.DisposeAsync();
        }
    }

    private const string DemoTasksCrashVariable = "CELERIAC_DEMO_CRASH_TASK";

    private Task<ManagedProcess> StartWorkerAsync(RabbitMqVirtualHost vhost, IReadOnlyDictionary<string, string> environment) =>
        CeleriacWorkerProcess.StartAsync(vhost, Log.WriteLine, concurrency: 1, hostname: "poison@localhost", stateDirectory: DataDirectory, environment: environment);

    /// <summary>Publishes a Celery protocol 2 task message with the given body as it is; returns its id.</summary>
    private static async Task<string> PublishAsync(IChannel channel, string task, string contentType, byte[] body)
    {
        var id = Guid.NewGuid().ToString();
        var properties = new BasicProperties
        {
            ContentType = contentType,
            ContentEncoding = "utf-8",
            CorrelationId = id,
            DeliveryMode = DeliveryModes.Persistent,
            Headers = new Dictionary<string, object?>
            {
                ["lang"] = "py", ["task"] = task, ["id"] = id, ["root_id"] = id, ["argsrepr"] = "()", ["kwargsrepr"] = "{}", ["origin"] = "faults",
            },
        };
        await channel.BasicPublishAsync("", "celery", mandatory: false, properties, body);
        return id;
    }

    /// <summary>Takes every message parked so far off <c>celery_error</c>: id to reason.</summary>
    private static async Task DrainParkedAsync(IChannel channel, Dictionary<string, string> parked)
    {
        while (await channel.BasicGetAsync("celery_error", autoAck: true) is { } message)
        {
            var headers = message.BasicProperties.Headers ?? new Dictionary<string, object?>();
            var id = headers.TryGetValue("id", out var value) && value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : message.BasicProperties.CorrelationId ?? "?";
            var reason = headers.TryGetValue(ReasonHeader, out var r) && r is byte[] text ? Encoding.UTF8.GetString(text) : "";
            parked[id] = reason;
        }
    }
}
