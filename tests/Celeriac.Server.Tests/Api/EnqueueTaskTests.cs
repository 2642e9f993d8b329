using System.Net;
using System.Text;
using System.Text.Json;
using Celeriac.Server.Tests.Support;

namespace Celeriac.Server.Tests.Api;

/// <summary>
/// <c>POST /api/tasks/{name}</c> against <c>celeriac serve --no-worker</c>: with no worker, an accepted task must be
/// in the queue the moment the 202 arrives (the broker confirmed it), and a rejected one must not be.
/// </summary>
public sealed class EnqueueTaskTests(ApiOnlyServerFixture fixture, ITestOutputHelper output)
    : ServerTest<ApiOnlyServerFixture>(fixture, output), IClassFixture<ApiOnlyServerFixture>
{
    private const int MaxBodyBytes = 1024 * 1024;

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Enqueue_KnownTask_Returns202WithLocationRetryAfterAndLinksOnceTheMessageIsQueued()
    {
        var answer = (await Api.EnqueueAsync("tasks.add", """{"args": [2, 3]}""")).AssertStatus(HttpStatusCode.Accepted);

        var body = answer.Json;
        var id = body.GetProperty("id").GetString()!;
        Assert.True(Guid.TryParse(id, out _), $"expected a UUID task id, got {answer}");
        Assert.Equal($"/api/tasks/{id}", answer.Headers.Location?.OriginalString);
        Assert.True(answer.RetryAfterSeconds >= 1, $"expected Retry-After of at least 1 s, got {answer}");
        Assert.Equal("PENDING", body.GetProperty("state").GetString());
        Assert.Equal("tasks.add", body.GetProperty("name").GetString());
        var status = new Uri(Fixture.Server.BaseAddress, $"api/tasks/{id}").ToString();
        Assert.Equal(status, body.GetProperty("statusQueryGetUri").GetString());
        Assert.Equal(status + "/revoke", body.GetProperty("revokePostUri").GetString());
        Assert.Equal(status + "/revoke?terminate=true", body.GetProperty("terminatePostUri").GetString());

        // Read right after the 202, without waiting: the broker confirmed the message before the API answered.
        var queued = await QueuedTaskIdsAsync();
        Assert.True(queued.Contains(id), $"expected task {id} in the celery queue as soon as the API answered 202; the queue holds [{string.Join(", ", queued)}]");

        var record = (await Api.Http.GetAsync(body.GetProperty("statusQueryGetUri").GetString())).StatusCode;
        Assert.Equal(HttpStatusCode.Accepted, record);
        var view = (await Api.GetAsync(id)).AssertStatus(HttpStatusCode.Accepted, "a queued task is not final").Json;
        Assert.Equal("PENDING", view.GetProperty("state").GetString());
        Assert.Equal("[2,3]", view.GetProperty("args").GetRawText());
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Enqueue_WithCountdownExpiresAndLinks_QueuesThemInCeleryMessageFields()
    {
        var before = DateTimeOffset.UtcNow;
        var answer = (await Api.EnqueueAsync("tasks.add", """
            {"args": [2, 3], "countdown": 30, "expires": 3600,
             "link": {"task": "tasks.add", "args": [10]}, "link_error": [{"task": "tasks.echo", "immutable": true}]}
            """)).AssertStatus(HttpStatusCode.Accepted);
        var id = answer.Json.GetProperty("id").GetString()!;

        var queued = (await Fixture.VirtualHost.PeekMessagesAsync("celery", count: 1000))
            .Single(m => m.GetProperty("properties").GetProperty("headers").GetProperty("id").GetString() == id);
        var headers = queued.GetProperty("properties").GetProperty("headers");
        var eta = DateTimeOffset.Parse(headers.GetProperty("eta").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var expires = DateTimeOffset.Parse(headers.GetProperty("expires").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(eta - before, TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(60));
        Assert.InRange(expires - before, TimeSpan.FromSeconds(3599), TimeSpan.FromSeconds(3630));
        using var body = JsonDocument.Parse(queued.GetProperty("payload").GetString()!);
        var embed = body.RootElement[2];
        var link = Assert.Single(embed.GetProperty("callbacks").EnumerateArray());
        Assert.Equal(("tasks.add", "[10]", false), (link.GetProperty("task").GetString(), link.GetProperty("args").GetRawText(), link.GetProperty("immutable").GetBoolean()));
        var errback = Assert.Single(embed.GetProperty("errbacks").EnumerateArray());
        Assert.Equal(("tasks.echo", true), (errback.GetProperty("task").GetString(), errback.GetProperty("immutable").GetBoolean()));
        var view = (await Api.GetAsync(id)).AssertStatus(HttpStatusCode.Accepted).Json;
        Assert.Equal(JsonValueKind.String, view.GetProperty("eta").ValueKind);
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [InlineData("tasks.noop", null)]
    [InlineData("tasks.noop", "{}")]
    [InlineData("tasks.noop", """{"args": null, "kwargs": null}""")]
    [InlineData("tasks.echo", """{"args": [1, "a"], "kwargs": {"k": [1, 2]}}""")]
    [InlineData("tasks.add", """{"kwargs": {"x": 1, "y": 2}}""")]
    public async Task Enqueue_ArgumentsThatFit_Returns202(string name, string? body)
    {
        var answer = (await Api.EnqueueAsync(name, body)).AssertStatus(HttpStatusCode.Accepted);
        Assert.Equal("PENDING", answer.State);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Enqueue_UnknownTaskName_Returns404ProblemNamingTheRegisteredTasks()
    {
        var problem = (await Api.EnqueueAsync("tasks.nope", """{"args": []}""")).AssertProblem(HttpStatusCode.NotFound, "unknown-task", "tasks.nope");

        var registered = problem.GetProperty("registered").EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.True(registered.Contains("tasks.add") && registered.Contains("tasks.sleep"), $"expected the registered names in the problem, got {problem}");
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [InlineData("tasks.add", """{"args": [2, 3""", "invalid-body", "not valid JSON")]
    [InlineData("tasks.add", "[2, 3]", "invalid-body", "must be a JSON object")]
    [InlineData("tasks.add", """{"args": {"x": 2}}""", "invalid-body", "\"args\" must be a JSON array")]
    [InlineData("tasks.add", """{"args": [2, 3], "kwargs": [1]}""", "invalid-body", "\"kwargs\" must be a JSON object")]
    [InlineData("tasks.add", """{"args": [2, 3], "priority": 10}""", "invalid-body", "'priority' is not supported")]
    [InlineData("tasks.add", """{"args": [2, 3], "countdown": 10, "eta": "2030-01-01T00:00:00Z"}""", "invalid-body", "not both")]
    [InlineData("tasks.add", """{"args": [2, 3], "eta": "2030-01-01T00:00:00"}""", "invalid-body", "with its offset")]
    [InlineData("tasks.add", """{"args": [2, 3], "link": {"task": "shop.nope"}}""", "invalid-body", "unknown task 'shop.nope'")]
    [InlineData("tasks.add", """{"args": [2]}""", "invalid-arguments", "missing 1 required positional argument: 'y'")]
    [InlineData("tasks.add", """{"args": [1, 2, 3]}""", "invalid-arguments", "takes 2 positional arguments but 3 were given")]
    [InlineData("tasks.add", """{"args": [1, 2], "kwargs": {"z": 3}}""", "invalid-arguments", "unexpected keyword argument 'z'")]
    [InlineData("tasks.sleep", """{"args": ["long"]}""", "invalid-arguments", "argument 'seconds' must be a number, not str")]
    public async Task Enqueue_BodyOrArgumentsThatDoNotFit_Returns400ProblemAndQueuesNothing(string name, string body, string kind, string detail)
    {
        var before = (await QueuedTaskIdsAsync()).Count;

        (await Api.EnqueueAsync(name, body)).AssertProblem(HttpStatusCode.BadRequest, kind, detail);

        var after = (await QueuedTaskIdsAsync()).Count;
        Assert.True(before == after, $"a rejected task must not be queued: the queue held {before} messages before and {after} after");
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Enqueue_BodyOver1MiB_Returns413Problem(bool sendContentLength)
    {
        var json = JsonBodyOfSize(MaxBodyBytes + 1);
        // Without a known length HttpClient sends the body chunked, so the server must count what it reads.
        using HttpContent content = sendContentLength
            ? new ByteArrayContent(json)
            : new StreamContent(new UnseekableStream(json));
        content.Headers.ContentType = new("application/json");
        using var response = await Api.Http.PostAsync("api/tasks/tasks.echo", content);
        var answer = await ApiAnswer.ReadAsync($"POST /api/tasks/tasks.echo ({json.Length} bytes, content length {(sendContentLength ? "sent" : "not sent")})", response);

        answer.AssertProblem(HttpStatusCode.RequestEntityTooLarge, "payload-too-large", "1048576");
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Enqueue_BodyOfExactly1MiB_Returns202()
    {
        var json = JsonBodyOfSize(MaxBodyBytes);
        using var content = new ByteArrayContent(json);
        content.Headers.ContentType = new("application/json");
        using var response = await Api.Http.PostAsync("api/tasks/tasks.echo", content);

        (await ApiAnswer.ReadAsync($"POST /api/tasks/tasks.echo ({json.Length} bytes)", response)).AssertStatus(HttpStatusCode.Accepted);
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [InlineData("GET", "api/nothing/here", HttpStatusCode.NotFound)]
    [InlineData("GET", "api/tasks/some-id/revoke", HttpStatusCode.MethodNotAllowed)]
    [InlineData("DELETE", "api/tasks/some-id", HttpStatusCode.MethodNotAllowed)]
    public async Task UnknownRoute_AnswersProblemJson(string method, string path, HttpStatusCode expected)
    {
        using var response = await Api.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        (await ApiAnswer.ReadAsync($"{method} /{path}", response)).AssertProblem(expected, requireDetail: false);
    }

    private async Task<IReadOnlyList<string>> QueuedTaskIdsAsync() =>
        (await Fixture.VirtualHost.PeekMessagesAsync("celery", count: 1000))
        .Select(m => m.GetProperty("properties").GetProperty("headers").GetProperty("id").GetString()!)
        .ToArray();

    // {"args": ["xxx..."]}, exactly `size` bytes.
    private static byte[] JsonBodyOfSize(int size)
    {
        const string Prefix = "{\"args\": [\"", Suffix = "\"]}";
        var text = Prefix + new string('x', size - Prefix.Length - Suffix.Length) + Suffix;
        var bytes = Encoding.UTF8.GetBytes(text);
        Assert.Equal(size, bytes.Length);
        using var _ = JsonDocument.Parse(bytes);
        return bytes;
    }

    /// <summary>A stream whose length nobody knows, so HttpClient sends it chunked.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
