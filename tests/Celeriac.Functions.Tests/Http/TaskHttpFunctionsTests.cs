using Celeriac.Core.Records;
using Celeriac.Core.States;
using Celeriac.Functions.Tests.Support;

namespace Celeriac.Functions.Tests.Http;

/// <summary>
/// The HTTP functions through the SDK's types (the request as the ASP.NET Core integration passes it, the trigger's
/// route values, a <c>[DurableClient]</c>): each hands its client to the record store, makes one core call and answers
/// with what the core answered, as <c>celeriac serve</c> does.
/// </summary>
public sealed class TaskHttpFunctionsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private FunctionsUnderTest _app = null!;

    public Task InitializeAsync()
    {
        _app = FunctionsUnderTest.Create(output);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact(Timeout = 30_000)]
    public async Task Enqueue_KnownTask_SendsOneMessageRecordsPendingAndAnswers202()
    {
        var request = HttpInvocation.Request(_app.Services, "POST", "/api/tasks/tasks.add", body: """{"args": [2, 3]}""");

        var answer = await HttpInvocation.WriteAsync(await _app.Http.Enqueue(request, "tasks.add", _app.Client), request);

        Assert.Equal(202, answer.Status);
        var id = answer.Body.GetProperty("id").GetString()!;
        Assert.Equal($"/api/tasks/{id}", answer.Headers.Location.ToString());
        Assert.Equal($"http://127.0.0.1:7071/api/tasks/{id}", answer.Body.GetProperty("statusQueryGetUri").GetString());
        var (queue, message) = Assert.Single(_app.Broker.Sent);
        Assert.Equal(("celery", id, "tasks.add", "[2,3]"), (queue, message.Id, message.Name, message.Args.GetRawText().Replace(" ", "", StringComparison.Ordinal)));
        Assert.Equal(TaskState.Pending, (await _app.Store.Inner.GetAsync(id, default))?.State);
        Assert.Same(_app.Client, _app.Clients.GetClient());
    }

    [Fact(Timeout = 30_000)]
    public async Task Enqueue_UnknownTask_Answers404ProblemAndSendsNothing()
    {
        var request = HttpInvocation.Request(_app.Services, "POST", "/api/tasks/tasks.nope", body: """{"args": []}""");

        var answer = await HttpInvocation.WriteAsync(await _app.Http.Enqueue(request, "tasks.nope", _app.Client), request);

        Assert.Equal(404, answer.Status);
        Assert.Equal("application/problem+json", answer.ContentType);
        Assert.Empty(_app.Broker.Sent);
    }

    [Fact(Timeout = 30_000)]
    public async Task Get_StartedThenFinished_Answers202Then200WithTheResult()
    {
        var id = Guid.NewGuid().ToString();
        await _app.Store.Inner.ApplyAsync(id, new TaskStarted(DateTimeOffset.UtcNow, "w1"), default);
        var request = HttpInvocation.Request(_app.Services, "GET", $"/api/tasks/{id}");

        var running = await HttpInvocation.WriteAsync(await _app.Http.Get(request, id, _app.Client), request);

        Assert.Equal((202, "STARTED"), (running.Status, running.Body.GetProperty("state").GetString()));
        await _app.Store.Inner.ApplyAsync(id, new TaskFinished(DateTimeOffset.UtcNow, "w1",
            Celeriac.Core.Execution.TaskOutcome.Success(Celeriac.Core.Protocol.CeleryJson.ToElement(5), TimeSpan.FromSeconds(1))), default);
        request = HttpInvocation.Request(_app.Services, "GET", $"/api/tasks/{id}");
        var done = await HttpInvocation.WriteAsync(await _app.Http.Get(request, id, _app.Client), request);
        Assert.Equal((200, "SUCCESS", "5"), (done.Status, done.Body.GetProperty("state").GetString(), done.Body.GetProperty("result").GetRawText()));
    }

    [Fact(Timeout = 30_000)]
    public async Task Get_StoreUnavailable_Answers503ProblemWithRetryAfter()
    {
        _app.Store.Unavailable = true;
        var request = HttpInvocation.Request(_app.Services, "GET", "/api/tasks/t1");

        var answer = await HttpInvocation.WriteAsync(await _app.Http.Get(request, "t1", _app.Client), request);

        Assert.Equal((503, "application/problem+json"), (answer.Status, answer.ContentType));
        Assert.Equal("urn:celeriac:problem:store-unavailable", answer.Body.GetProperty("type").GetString());
        Assert.Equal("1", answer.Headers.RetryAfter.ToString());
    }

    [Fact(Timeout = 30_000)]
    public async Task Revoke_RunningTaskWithTerminate_RecordsTheRevokeBroadcastsItAndAnswers202()
    {
        var id = Guid.NewGuid().ToString();
        await _app.Store.Inner.ApplyAsync(id, new TaskStarted(DateTimeOffset.UtcNow, "w1"), default);
        var request = HttpInvocation.Request(_app.Services, "POST", $"/api/tasks/{id}/revoke", "terminate=true");

        var answer = await HttpInvocation.WriteAsync(await _app.Http.Revoke(request, id, _app.Client), request);

        Assert.Equal(202, answer.Status);
        Assert.Equal((id, true), Assert.Single(_app.Broker.Revokes));
        Assert.True((await _app.Store.Inner.GetAsync(id, default))?.Revoke is { Terminate: true }, "the record holds the terminate for the worker to find");
    }

    [Fact(Timeout = 30_000)]
    public async Task Revoke_FinishedTask_Answers409AndBroadcastsNothing()
    {
        var id = Guid.NewGuid().ToString();
        await _app.Store.Inner.ApplyAsync(id, new TaskFinished(DateTimeOffset.UtcNow, "w1",
            Celeriac.Core.Execution.TaskOutcome.Success(Celeriac.Core.Protocol.CeleryJson.ToElement(5), TimeSpan.Zero)), default);
        var request = HttpInvocation.Request(_app.Services, "POST", $"/api/tasks/{id}/revoke");

        var answer = await HttpInvocation.WriteAsync(await _app.Http.Revoke(request, id, _app.Client), request);

        Assert.Equal(409, answer.Status);
        Assert.Empty(_app.Broker.Revokes);
    }

    [Fact(Timeout = 30_000)]
    public async Task List_StateFilter_AnswersTheMatchingRecordsNewestFirst()
    {
        await _app.Store.Inner.ApplyAsync("t1", new TaskStarted(DateTimeOffset.UtcNow.AddSeconds(-2), "w1"), default);
        await _app.Store.Inner.ApplyAsync("t2", new TaskStarted(DateTimeOffset.UtcNow.AddSeconds(-1), "w1"), default);
        await _app.Store.Inner.ApplyAsync("t3", new TaskFinished(DateTimeOffset.UtcNow, "w1",
            Celeriac.Core.Execution.TaskOutcome.Success(Celeriac.Core.Protocol.CeleryJson.ToElement(1), TimeSpan.Zero)), default);
        var request = HttpInvocation.Request(_app.Services, "GET", "/api/tasks", "state=STARTED");

        var answer = await HttpInvocation.WriteAsync(await _app.Http.List(request, _app.Client), request);

        Assert.Equal(200, answer.Status);
        Assert.Equal(["t2", "t1"], answer.Body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
    }

    [Fact(Timeout = 30_000)]
    public async Task List_InvalidQuery_Answers400Problem()
    {
        var request = HttpInvocation.Request(_app.Services, "GET", "/api/tasks", "state=BOGUS");

        var answer = await HttpInvocation.WriteAsync(await _app.Http.List(request, _app.Client), request);

        Assert.Equal(400, answer.Status);
        Assert.Equal("application/problem+json", answer.ContentType);
    }
}
