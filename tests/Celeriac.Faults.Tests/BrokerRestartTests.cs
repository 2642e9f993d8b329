using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Celeriac.Faults.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Faults.Tests;

/// <summary>
/// Fault test 2: the broker goes away and comes back (<c>rabbitmqctl stop_app</c> / <c>start_app</c> on a private node)
/// while an HTTP client and a .NET client keep sending. Everything must come back by itself: enqueue over the API,
/// the worker's consumers, results, task events and heartbeats, remote control; and no task that got a 202 or a
/// publisher confirm may be lost.
/// </summary>
public sealed class BrokerRestartTests : IClassFixture<PrivateBrokerServerFixture>, IDisposable
{
    // Longer than the client's recovery interval (2 s), so that several reconnect attempts fail before one succeeds.
    private static readonly TimeSpan s_longOutage = TimeSpan.FromSeconds(12);

    private readonly PrivateBrokerServerFixture _fixture;
    private readonly ITestOutputHelper _output;
    private readonly HttpClient _http;

    public BrokerRestartTests(PrivateBrokerServerFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
        _fixture.Log.Attach(output.WriteLine);
        _http = fixture.Server.CreateClient();
    }

    public void Dispose()
    {
        _http.Dispose();
        _fixture.Log.Detach();
    }

    [Fact(Timeout = FaultTimeouts.Test)]
    public async Task BrokerRestart_ThreeTimesWhileClientsSend_EverythingRecoversAndNothingAcceptedIsLost()
    {
        await VerifyRecoveredAsync("before any fault");

        await using var httpProducer = new HttpProducer(_fixture.Server.CreateClient(), TimeSpan.FromMilliseconds(40));
        await using var clientProducer = new ClientProducer(_fixture.Client, TimeSpan.FromMilliseconds(40));
        var recoveries = new List<(string Fault, double Seconds)>();
        foreach (var (fault, hold) in new[] { ("restart 1", TimeSpan.Zero), ("restart 2", TimeSpan.Zero), ("long outage", s_longOutage) })
        {
            _output.WriteLine($"---- {fault}: stop_app, {hold.TotalSeconds:0} s, start_app ----");
            await _fixture.Node.StopAppAsync();
            await AssertUnavailableAsync(fault);
            if (hold > TimeSpan.Zero)
            {
                // The fault's length, not a wait for a condition: the broker stays away this long.
                await Task.Delay(hold);
                await AssertUnavailableAsync(fault);
            }

            await _fixture.Node.StartAppAsync();
            var back = Stopwatch.StartNew();
            await Eventually.WaitAsync(async () => await EnqueueAsync("tasks.noop", "{}") is (HttpStatusCode.Accepted, _), FaultTimeouts.Long,
                $"POST /api/tasks/tasks.noop to answer 202 again after {fault}");
            recoveries.Add((fault, back.Elapsed.TotalSeconds));
            _output.WriteLine($"{fault}: the API accepted tasks again {back.Elapsed.TotalSeconds:0.0} s after start_app");
            await VerifyRecoveredAsync(fault);
        }

        await httpProducer.StopAsync();
        await clientProducer.StopAsync();

        var answers = httpProducer.Answers;
        var accepted = httpProducer.Accepted;
        var confirmed = clientProducer.Confirmed;
        var unexpected = answers.Where(a => a.Status is not (HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable)).ToArray();
        Assert.True(unexpected.Length == 0,
            $"Every answer must be 202 or 503; got {unexpected.Length} others, e.g. {string.Join("; ", unexpected.Take(3).Select(a => $"{a.Status}: {a.Text}"))}");
        var unavailable = answers.Count(a => a.Status == HttpStatusCode.ServiceUnavailable);
        Assert.True(unavailable > 0, "The HTTP client should have seen the outages (503s)");
        var withoutRetryAfter = answers.Where(a => a.Status == HttpStatusCode.ServiceUnavailable && a.RetryAfter is null).ToArray();
        Assert.True(withoutRetryAfter.Length == 0, $"Every 503 must carry Retry-After; {withoutRetryAfter.Length} did not, e.g. {withoutRetryAfter.FirstOrDefault()?.Text}");
        Assert.True(clientProducer.Refused > 0, "The .NET client should have seen the outages (unconfirmed sends)");

        var lost = new List<string>();
        foreach (var (id, expected) in accepted.Concat(confirmed))
        {
            var record = await WaitForFinalAsync(id);
            if (record is not { } r || Text(r, "state") != "SUCCESS" || !r.TryGetProperty("result", out var result) || result.GetRawText() != expected.ToString(CultureInfo.InvariantCulture))
            {
                lost.Add($"{id}: {record?.GetRawText() ?? "no final record"}");
            }
        }

        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"FIGURES broker-restart: faults {recoveries.Count} (longest outage {s_longOutage.TotalSeconds:0} s + stop_app), " +
            $"HTTP requests {answers.Count}, 202 {accepted.Count}, 503 {unavailable}, other {unexpected.Length}; " +
            $"client sends confirmed {confirmed.Count}, unconfirmed {clientProducer.Refused}; lost {lost.Count}; " +
            $"API back after start_app: {string.Join(", ", recoveries.Select(r => $"{r.Fault} {r.Seconds:0.0} s"))}"));
        Assert.True(lost.Count == 0, $"{lost.Count} accepted or confirmed tasks did not succeed with their result:\n{string.Join('\n', lost.Take(20))}");
    }

    /// <summary>While the broker is away the API answers 503 with Retry-After and a problem body (no 500, no hang).</summary>
    private async Task AssertUnavailableAsync(string fault)
    {
        using var content = new StringContent("{}", Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync("api/tasks/tasks.noop", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"During {fault} POST /api/tasks/tasks.noop should answer 503, got {(int)response.StatusCode}: {text}");
        Assert.True(response.Headers.RetryAfter?.Delta is { } delta && delta > TimeSpan.Zero, $"During {fault} the 503 should carry Retry-After: {response.Headers}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("urn:celeriac:problem:broker-unavailable", JsonDocument.Parse(text).RootElement.GetProperty("type").GetString());
    }

    /// <summary>Every part works (again): enqueue and result over HTTP, task events and heartbeats, control ping, the .NET client's send and result.</summary>
    private async Task VerifyRecoveredAsync(string when)
    {
        await using var events = await EventTap.StartAsync(_fixture.VirtualHost);
        var (status, text) = await EnqueueAsync("tasks.add", "{\"args\": [40, 2]}");
        Assert.True(status == HttpStatusCode.Accepted, $"{when}: POST tasks.add should answer 202, got {(int)status}: {text}");
        var id = JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
        var record = await WaitForFinalAsync(id);
        Assert.True(record is { } r && Text(r, "state") == "SUCCESS" && r.GetProperty("result").GetRawText() == "42",
            $"{when}: task {id} should have succeeded with 42, got {record?.GetRawText()}");
        await events.WaitForAsync("task-succeeded", _fixture.WorkerName, id);
        await events.WaitForAsync("worker-heartbeat", _fixture.WorkerName);

        // The long-lived .NET client: its publisher and its reply consumer must have come back too.
        JsonElement? sum = null;
        await Eventually.WaitAsync(async () =>
        {
            try
            {
                using var timeout = new CancellationTokenSource(FaultTimeouts.Short);
                var sent = await _fixture.Client.SendAsync("tasks.add", [5, 6], kwargs: null, options: null, timeout.Token);
                sum = await sent.GetAsync(FaultTimeouts.Short, timeout.Token);
                return true;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _output.WriteLine($"{when}: the .NET client's send or result failed ({ex.GetType().Name}: {ex.Message}); again");
                return false;
            }
        }, FaultTimeouts.Long, $"{when}: the .NET client to send tasks.add and get its result");
        Assert.Equal("11", sum!.Value.GetRawText());

        IReadOnlyDictionary<string, JsonElement>? pong = null;
        await Eventually.WaitAsync(async () => (pong = await _fixture.Client.Control.PingAsync(TimeSpan.FromSeconds(1))).ContainsKey(_fixture.WorkerName),
            FaultTimeouts.Short, $"{when}: the worker {_fixture.WorkerName} to answer control ping (last replies: {string.Join(", ", pong?.Keys ?? [])})");

        await using var python = await PythonClient.StartAsync(_fixture.VirtualHost, _fixture.Log.WriteLine);
        await Eventually.WaitAsync(async () => (await python.PingAsync()).GetRawText().Contains(_fixture.WorkerName, StringComparison.Ordinal),
            FaultTimeouts.Short, $"{when}: the worker to answer a Python client's app.control.ping()");
        _output.WriteLine($"{when}: enqueue, result, task events, heartbeat, .NET send and result, control ping (.NET and Python): all work");
    }

    private async Task<(HttpStatusCode Status, string Text)> EnqueueAsync(string name, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync($"api/tasks/{name}", content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Polls <c>GET /api/tasks/{id}</c> until 200 (final); null when it never is.</summary>
    private async Task<JsonElement?> WaitForFinalAsync(string id)
    {
        JsonElement? final = null;
        try
        {
            await Eventually.WaitAsync(async () =>
            {
                using var response = await _http.GetAsync($"api/tasks/{Uri.EscapeDataString(id)}");
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return false;
                }

                final = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
                return true;
            }, FaultTimeouts.Long, $"task {id} to reach a final state");
        }
        catch (TimeoutException)
        {
            return null;
        }

        return final;
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
