using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Celeriac.Faults.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Faults.Tests;

/// <summary>
/// Fault test 5: a bounded randomized run of hostile HTTP requests against a real <c>celeriac serve</c> (with its
/// embedded worker) on loopback, plus slow and partial requests over raw sockets. Every answer must be complete and
/// none may be a 5xx; afterwards every listing page and every accepted task still reads back.
/// </summary>
public sealed class HostileHttpTests : IClassFixture<HostileHttpTests.Fixture>, IDisposable
{
    private const int Requests = 3000;
    private const int Parallel = 4;

    private readonly Fixture _fixture;
    private readonly ITestOutputHelper _output;

    public HostileHttpTests(Fixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
        fixture.Log.Attach(output.WriteLine);
    }

    public void Dispose() => _fixture.Log.Detach();

    [Fact(Timeout = FaultTimeouts.Test)]
    public async Task HostileRequests_ThousandsRandomized_NoServerErrorAndEveryAnswerComplete()
    {
        var seed = Environment.GetEnvironmentVariable("CELERIAC_FAULT_SEED") is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : Environment.TickCount;
        _output.WriteLine($"seed {seed} (set CELERIAC_FAULT_SEED to replay)");
        var rssBefore = ProcessMemory.RssMegabytes(_fixture.Server.Process.Id);
        var generator = new HostileRequests(seed);
        var requests = Enumerable.Range(0, Requests).Select(_ => generator.Next()).ToArray();
        var problems = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        var accepted = new ConcurrentQueue<string>();
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = _fixture.Server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Parallel).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < requests.Length; i = Interlocked.Increment(ref next))
            {
                var outcome = await SendAsync(http, requests[i]);
                statuses.AddOrUpdate(outcome.Status, 1, (_, n) => n + 1);
                if (outcome.Problem is { } problem)
                {
                    problems.Enqueue($"{requests[i]}: {problem}");
                }

                if (outcome.AcceptedId is { } id)
                {
                    accepted.Enqueue(id);
                }
            }
        }));

        foreach (var (name, partial) in PartialRequests())
        {
            var answer = await SendRawAsync(partial);
            statuses.AddOrUpdate(answer.Status, 1, (_, n) => n + 1);
            if (answer.Status >= 500)
            {
                problems.Enqueue($"[raw {name}] answered {answer.Status}: {answer.Head}");
            }
        }

        // Everything accepted reads back, one by one and in every listing page, while the worker runs it.
        foreach (var id in accepted.Take(300))
        {
            using var response = await http.GetAsync($"api/tasks/{Uri.EscapeDataString(id)}");
            if (await CheckCompleteAsync(response) is { } problem)
            {
                problems.Enqueue($"GET /api/tasks/{id}: {problem}");
            }
        }

        var pages = 0;
        for (string? cursor = ""; cursor is not null && pages < 200; pages++)
        {
            using var response = await http.GetAsync($"api/tasks?limit=100{(cursor.Length > 0 ? "&cursor=" + Uri.EscapeDataString(cursor) : "")}");
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                problems.Enqueue($"listing page {pages}: {(int)response.StatusCode} {text[..Math.Min(300, text.Length)]}");
                break;
            }

            using var page = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 2048 });
            cursor = page.RootElement.TryGetProperty("nextCursor", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        }

        var unhandled = _fixture.Server.Process.Lines.Count(l => l.Contains("unhandled exception", StringComparison.OrdinalIgnoreCase));
        var rssAfter = ProcessMemory.RssMegabytes(_fixture.Server.Process.Id);
        var fiveHundreds = statuses.Where(p => p.Key >= 500).Sum(p => p.Value);
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"FIGURES hostile-http: requests {requests.Length} + {PartialRequests().Count()} raw, 5xx {fiveHundreds}, incomplete or broken {problems.Count}, " +
            $"accepted {accepted.Count}, listing pages read {pages}, unhandled exceptions logged {unhandled}, server RSS {rssBefore} MB before, {rssAfter} MB after; " +
            $"statuses: {string.Join(", ", statuses.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"))}"));
        Assert.True(problems.IsEmpty, $"{problems.Count} answers were 5xx, incomplete or broken:\n{string.Join('\n', problems.Take(25))}");
        Assert.Equal(0, unhandled);
    }

    private static async Task<(int Status, string? Problem, string? AcceptedId)> SendAsync(HttpClient http, HostileRequest request)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.PathAndQuery);
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
            if (request.ContentType is not null && MediaTypeHeaderValue.TryParse(request.ContentType, out var type))
            {
                message.Content.Headers.ContentType = type;
            }
        }

        try
        {
            using var response = await http.SendAsync(message);
            var problem = await CheckCompleteAsync(response);
            string? id = null;
            if (problem is null && response.StatusCode == HttpStatusCode.Accepted && request.Method == "POST" && !request.PathAndQuery.EndsWith("/revoke", StringComparison.Ordinal))
            {
                using var body = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
                id = body.RootElement.TryGetProperty("id", out var value) ? value.GetString() : null;
            }

            return ((int)response.StatusCode, problem, id);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            return (0, $"no complete answer: {ex.GetType().Name}: {ex.Message}", null);
        }
    }

    /// <summary>Null when the answer is complete and sound: not 5xx, the body as long as announced, JSON bodies parse.</summary>
    private static async Task<string?> CheckCompleteAsync(HttpResponseMessage response)
    {
        byte[] body;
        try
        {
            body = await response.Content.ReadAsByteArrayAsync();
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return $"{(int)response.StatusCode} with a body cut short: {ex.Message}";
        }

        var text = Encoding.UTF8.GetString(body);
        if ((int)response.StatusCode >= 500)
        {
            return $"{(int)response.StatusCode}: {text[..Math.Min(400, text.Length)]}";
        }

        if (response.Content.Headers.ContentLength is { } length && length != body.Length)
        {
            return $"{(int)response.StatusCode}: {body.Length} bytes of the {length} announced";
        }

        if ((int)response.StatusCode >= 400 && Internals.Leaked(text) is { } leak)
        {
            return $"{(int)response.StatusCode} error body shows the server's internals ({leak}): {text[..Math.Min(300, text.Length)]}";
        }

        if (response.Content.Headers.ContentType?.MediaType is "application/json" or "application/problem+json" && body.Length > 0)
        {
            try
            {
                using var _ = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 2048 });
            }
            catch (JsonException ex)
            {
                return $"{(int)response.StatusCode} with a JSON body that does not parse ({ex.Message}): {text[..Math.Min(200, text.Length)]}";
            }
        }

        return null;
    }

    [Fact(Timeout = FaultTimeouts.Test)]
    public async Task FailedTask_DefaultTracebackDetail_RecordKeepsFramesWithoutSourcePaths()
    {
        using var http = _fixture.Server.CreateClient();
        using var content = new StringContent("{\"args\": [\"boom\"]}", Encoding.UTF8, "application/json");
        using var accepted = await http.PostAsync("api/tasks/tasks.fail", content);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var id = JsonDocument.Parse(await accepted.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

        string? text = null;
        await Eventually.WaitAsync(async () =>
        {
            using var response = await http.GetAsync($"api/tasks/{id}");
            text = await response.Content.ReadAsStringAsync();
            return response.StatusCode == HttpStatusCode.OK;
        }, FaultTimeouts.Short, $"task {id} to fail");

        var record = JsonDocument.Parse(text!).RootElement;
        Assert.Equal("FAILURE", record.GetProperty("state").GetString());
        var traceback = record.GetProperty("traceback").GetString()!;
        _output.WriteLine(traceback);
        Assert.Contains("InvalidOperationException: boom", traceback, StringComparison.Ordinal);
        Assert.Contains("at Celeriac.Demo.DemoTasks.Fail(String message)", traceback, StringComparison.Ordinal);
        Assert.True(Internals.Leaked(traceback) is null or "a stack frame", $"the stored traceback should carry no source path: {traceback}");
    }

    /// <summary>Requests HttpClient will not send: cut short, malformed chunks, slow dribbles, nonsense request lines.</summary>
    private static IEnumerable<(string Name, Func<NetworkStream, Task> Send)> PartialRequests()
    {
        const string post = "POST /api/tasks/tasks.echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
        yield return ("malformed chunked", s => WriteAsync(s, post + "Transfer-Encoding: chunked\r\n\r\nZZ\r\n{\"args\": []}\r\n0\r\n\r\n"));
        yield return ("chunk longer than sent", s => WriteAsync(s, post + "Transfer-Encoding: chunked\r\n\r\nfff\r\n{\"args\": []}\r\n0\r\n\r\n"));
        yield return ("slow body", async s =>
        {
            var body = "{\"args\": [1, 2, 3]}";
            await WriteAsync(s, post + $"Content-Length: {body.Length}\r\n\r\n");
            foreach (var c in body)
            {
                await WriteAsync(s, c.ToString());
                // A dribbling client: each byte a little later, well inside the server's timeouts.
                await Task.Delay(30);
            }
        });
        yield return ("bad request line", s => WriteAsync(s, "GARBAGE\r\n\r\n"));
        yield return ("header without colon", s => WriteAsync(s, "GET /api/tasks HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n"));
        yield return ("huge header", s => WriteAsync(s, "GET /api/tasks HTTP/1.1\r\nHost: x\r\nX-Big: " + new string('a', 70_000) + "\r\n\r\n"));
        yield return ("conflicting lengths", s => WriteAsync(s, post + "Content-Length: 5\r\nContent-Length: 7\r\n\r\n{}"));
    }

    private async Task<(int Status, string Head)> SendRawAsync(Func<NetworkStream, Task> send)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, _fixture.Server.BaseAddress.Port);
        var stream = client.GetStream();
        try
        {
            await send(stream);
        }
        catch (IOException)
        {
            // The server may close on us mid-way: what it answered (if anything) counts.
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var buffer = new byte[4096];
        var head = new StringBuilder();
        try
        {
            int read;
            while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) && (read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                head.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // Closed or silent: no status, which is not a 5xx.
        }

        var line = head.ToString().Split("\r\n")[0];
        var parts = line.Split(' ');
        return (parts.Length > 1 && int.TryParse(parts[1], out var status) ? status : 0, line);
    }

    private static Task WriteAsync(NetworkStream stream, string text) => stream.WriteAsync(Encoding.UTF8.GetBytes(text)).AsTask();

    /// <summary>The server these tests share.</summary>
    public sealed class Fixture() : SharedBrokerServerFixture("faults-http", "celeriac-fault-hostile-");
}
