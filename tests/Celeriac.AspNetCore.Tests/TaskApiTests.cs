using System.Text;
using System.Text.Json;
using Celeriac.AspNetCore.Api;
using Celeriac.Core.Execution;
using Celeriac.Core.Protocol;
using Celeriac.Core.Records;
using Celeriac.Core.States;
using Celeriac.Core.Tasks;
using Microsoft.Extensions.Time.Testing;
using Celeriac.Core.Transport;
using Celeriac.Records.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Celeriac.AspNetCore.Tests;

public sealed class TaskApiTests
{
    private static readonly Uri s_base = new("http://localhost:7071/");
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingBroker _broker = new();
    private readonly InMemoryTaskStore _inner = new();

    [Fact]
    public async Task EnqueueAsync_KnownTask_SendsThenWritesPendingAndAnswers202()
    {
        var api = CreateApi(_inner);

        var response = await api.EnqueueAsync("tasks.add", Json("""{"args": [2, 3]}"""), s_base, default);

        Assert.Equal(202, response.StatusCode);
        var links = Assert.IsType<TaskLinks>(response.Body);
        Assert.Equal($"/api/tasks/{links.Id}", response.Location);
        Assert.Equal(1, response.RetryAfterSeconds);
        Assert.Equal("PENDING", links.State);
        Assert.Equal($"http://localhost:7071/api/tasks/{links.Id}", links.StatusQueryGetUri);
        Assert.Equal(links.StatusQueryGetUri + "/revoke?terminate=true", links.TerminatePostUri);
        var sent = Assert.Single(_broker.Sent);
        Assert.Equal(("celery", links.Id, "tasks.add"), (sent.Queue, sent.Message.Id, sent.Message.Name));
        Assert.Null(sent.Message.ReplyTo);
        var record = await _inner.GetAsync(links.Id, default);
        Assert.Equal(TaskState.Pending, record!.State);
        Assert.Equal("[2, 3]", record.Args!.Value.GetRawText());
    }

    [Theory]
    [InlineData("{\"args\": [2,", "not valid JSON")]
    [InlineData("[2, 3]", "must be a JSON object")]
    [InlineData("{\"args\": {}}", "\"args\" must be a JSON array")]
    [InlineData("{\"kwargs\": []}", "\"kwargs\" must be a JSON object")]
    [InlineData("{\"args\": [2, 3], \"queue\": \"q\"}", "'queue' is not supported")]
    [InlineData("{\"args\": [2, 3], \"countdown\": -1}", "not negative")]
    [InlineData("{\"args\": [2, 3], \"expires\": 0}", "positive number of seconds")]
    [InlineData("{\"args\": [2, 3], \"link\": \"tasks.add\"}", "must be a signature")]
    [InlineData("{\"args\": [2, 3], \"link\": {\"task\": \"tasks.add\", \"args\": {}}}", "must be a signature")]
    [InlineData("{\"args\": [2, 3], \"link_error\": [{\"task\": \"tasks.gone\"}]}", "unknown task 'tasks.gone'")]
    [InlineData("{\"args\": [2]}", "missing 1 required positional argument: 'y'")]
    [InlineData("{\"args\": [2, 3, 4]}", "takes 2 positional arguments but 3 were given")]
    [InlineData("{\"args\": [\"a\", 3]}", "argument 'x' must be an integer")]
    public async Task EnqueueAsync_BadBodyOrArguments_Answers400AndSendsNothing(string body, string detail)
    {
        var api = CreateApi(_inner);

        var response = await api.EnqueueAsync("tasks.add", Json(body), s_base, default);

        Assert.Equal(400, response.StatusCode);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Contains(detail, Assert.IsType<ApiProblem>(response.Body).Detail, StringComparison.Ordinal);
        Assert.Empty(_broker.Sent);
    }

    [Fact]
    public async Task EnqueueAsync_UnknownTask_Answers404WithTheRegisteredNames()
    {
        var response = await CreateApi(_inner).EnqueueAsync("tasks.nope", Json("{}"), s_base, default);

        var problem = Assert.IsType<ApiProblem>(response.Body);
        Assert.Equal(404, problem.Status);
        Assert.Equal(["tasks.add"], problem.Registered);
        Assert.Empty(_broker.Sent);
    }

    [Fact]
    public async Task EnqueueAsync_BrokerRefuses_Answers503AndWritesNoRecord()
    {
        _broker.SendFailure = new IOException("connection refused");

        var response = await CreateApi(_inner).EnqueueAsync("tasks.add", Json("""{"args": [2, 3]}"""), s_base, default);

        Assert.Equal(503, response.StatusCode);
        Assert.Contains("connection refused", Assert.IsType<ApiProblem>(response.Body).Detail, StringComparison.Ordinal);
        Assert.Empty((await _inner.QueryAsync(new TaskRecordQuery(), default)).Items);
    }

    [Fact]
    public async Task GetAsync_ByState_Answers404Then202ThenFinal200()
    {
        var api = CreateApi(_inner);
        Assert.Equal(404, (await api.GetAsync("t1", default)).StatusCode);

        await _inner.ApplyAsync("t1", new TaskStarted(_time.GetUtcNow(), "w1"), default);
        var running = await api.GetAsync("t1", default);
        Assert.Equal((202, 1), (running.StatusCode, running.RetryAfterSeconds));

        await _inner.ApplyAsync("t1", new TaskFinished(_time.GetUtcNow(), "w1", TaskOutcome.Success(CeleryJson.ToElement(5), TimeSpan.FromSeconds(1))), default);
        var done = await api.GetAsync("t1", default);
        Assert.Equal(200, done.StatusCode);
        Assert.Null(done.RetryAfterSeconds);
        Assert.Equal(5, Assert.IsType<TaskView>(done.Body).Result!.Value.GetInt32());
    }

    [Fact]
    public async Task GetAsync_RightAfter202OnAStoreThatHasNotAppliedYet_AnswersThePendingTaskNot404()
    {
        var api = CreateApi(new NotYetAppliedStore(_inner));
        var accepted = Assert.IsType<TaskLinks>((await api.EnqueueAsync("tasks.add", Json("""{"args": [2, 3]}"""), s_base, default)).Body);

        var response = await api.GetAsync(accepted.Id, default);

        Assert.Equal(202, response.StatusCode);
        Assert.Equal("PENDING", StateOf(response));
    }

    [Fact]
    public async Task GetAsync_StoreReadsLagBehindWrites_NeverReportsAStateThatGoesBackwards()
    {
        // A Durable Entity applies signals later and reads the last persisted state: reads may lag.
        var lagging = new LaggingStore(_inner);
        var api = CreateApi(lagging);
        await _inner.ApplyAsync("t1", new TaskStarted(_time.GetUtcNow(), "w1"), default);
        Assert.Equal("STARTED", StateOf(await api.GetAsync("t1", default)));

        await _inner.ApplyAsync("t1", new TaskFinished(_time.GetUtcNow(), "w1", TaskOutcome.Success(CeleryJson.ToElement(5), TimeSpan.Zero)), default);
        Assert.Equal("SUCCESS", StateOf(await api.GetAsync("t1", default)));

        lagging.ServeStale = true; // the next read returns the older, STARTED version
        var later = await api.GetAsync("t1", default);

        Assert.Equal("SUCCESS", StateOf(later));
        Assert.Equal(200, later.StatusCode);
    }

    [Fact]
    public async Task RevokeAsync_UnseenId_Answers202RecordsTheRevokeAndBroadcasts()
    {
        var response = await CreateApi(_inner).RevokeAsync("unseen", terminate: true, s_base, default);

        Assert.Equal(202, response.StatusCode);
        Assert.True(Assert.IsType<TaskLinks>(response.Body).Revoke!.Terminate);
        Assert.Equal([("unseen", true)], _broker.Revokes);
        Assert.True((await _inner.GetAsync("unseen", default))!.Revoke!.Terminate);
    }

    [Fact]
    public async Task GetAsync_IdOnlyARevokeNamed_Answers404CarryingTheRevokeNotPending()
    {
        var api = CreateApi(_inner);
        await api.RevokeAsync("unseen", terminate: false, s_base, default);

        var response = await api.GetAsync("unseen", default);

        Assert.Equal(404, response.StatusCode);
        var problem = Assert.IsType<ApiProblem>(response.Body);
        Assert.Equal("urn:celeriac:problem:unknown-task-id", problem.Type);
        Assert.False(problem.Revoke!.Terminate);
        Assert.Contains("A revoke for it is on record", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokeAsync_FinishedTask_Answers409WithItsStateAndBroadcastsNothing()
    {
        await _inner.ApplyAsync("t1", new TaskFinished(_time.GetUtcNow(), "w1", TaskOutcome.Failure(TaskError.Create("ValueError", "x", "builtins"), null, null)), default);

        var response = await CreateApi(_inner).RevokeAsync("t1", terminate: false, s_base, default);

        var problem = Assert.IsType<ApiProblem>(response.Body);
        Assert.Equal((409, "FAILURE"), (problem.Status, problem.State));
        Assert.Empty(_broker.Revokes);
    }

    [Fact]
    public async Task RevokeAsync_BroadcastFails_StillAccepted_BecauseTheRecordHoldsTheRevoke()
    {
        _broker.RevokeFailure = new IOException("broker down");

        var response = await CreateApi(_inner).RevokeAsync("t1", terminate: false, s_base, default);

        Assert.Equal(202, response.StatusCode);
        Assert.NotNull((await _inner.GetAsync("t1", default))!.Revoke);
    }

    [Theory]
    [InlineData("state", "NOPE", "is not a state")]
    [InlineData("limit", "0", "'limit' must be a whole number from 1 to 500")]
    [InlineData("limit", "abc", "'limit' must be a whole number")]
    [InlineData("from", "yesterday", "'from' must be an ISO 8601 time")]
    [InlineData("cursor", "not-a-cursor", "is not a cursor")]
    public async Task ListAsync_InvalidQuery_Answers400SayingWhat(string key, string value, string detail)
    {
        var response = await CreateApi(_inner).ListAsync(new Dictionary<string, string?> { [key] = value }, default);

        Assert.Equal(400, response.StatusCode);
        Assert.Contains(detail, Assert.IsType<ApiProblem>(response.Body).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAsync_StateFilterAndLimit_PagesNewestFirst()
    {
        for (var i = 0; i < 3; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await _inner.ApplyAsync($"t{i}", new TaskStarted(_time.GetUtcNow(), "w1"), default);
        }

        var api = CreateApi(_inner);
        var first = Assert.IsType<TaskListView>((await api.ListAsync(new Dictionary<string, string?> { ["state"] = "started", ["limit"] = "2" }, default)).Body);
        var second = Assert.IsType<TaskListView>((await api.ListAsync(
            new Dictionary<string, string?> { ["state"] = "STARTED", ["limit"] = "2", ["cursor"] = first.NextCursor }, default)).Body);

        Assert.Equal(["t2", "t1"], first.Items.Select(t => t.Id));
        Assert.Equal(["t0"], second.Items.Select(t => t.Id));
        Assert.Null(second.NextCursor);
    }

    [Fact]
    public async Task ListAsync_LargeArgumentsAndResult_CutShortInTheListingCompleteInTheTaskView()
    {
        var big = new string('x', 5000);
        var api = CreateApi(_inner);
        var id = await AcceptAsync($$"""["{{big}}", 1]""");
        await _inner.ApplyAsync(id, new TaskFinished(_time.GetUtcNow(), "w1", TaskOutcome.Success(CeleryJson.ToElement(big), TimeSpan.FromSeconds(1))), default);

        var listed = Assert.Single(Assert.IsType<TaskListView>((await api.ListAsync(new Dictionary<string, string?>(), default)).Body).Items);
        var view = Assert.IsType<TaskView>((await api.GetAsync(id, default)).Body);

        Assert.Equal(["args", "result"], listed.Truncated);
        Assert.Equal(JsonValueKind.String, listed.Args!.Value.ValueKind);
        Assert.StartsWith("[\"xxx", listed.Args.Value.GetString(), StringComparison.Ordinal);
        Assert.True(Encoding.UTF8.GetByteCount(listed.Args.Value.GetString()!) <= new TaskApiOptions().MaxListValueBytes + 3);
        Assert.Equal("{}", listed.Kwargs!.Value.GetRawText());
        Assert.Null(view.Truncated);
        Assert.Equal(big, view.Args!.Value[0].GetString());
        Assert.Equal(big, view.Result!.Value.GetString());
    }

    [Fact]
    public async Task ListAsync_PageOverMaxListBytes_EndsEarlyWithACursorAndEveryTaskListedOnce()
    {
        var ids = new List<string>();
        var api = CreateApi(_inner, new TaskApiOptions { MaxListBytes = 4096 });
        for (var i = 0; i < 12; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            ids.Add(await AcceptAsync($$"""["{{new string('y', 900)}}", {{i}}]"""));
        }

        var listed = new List<string>();
        var pages = 0;
        for (string? cursor = null; pages == 0 || cursor is not null; pages++)
        {
            var response = await api.ListAsync(new Dictionary<string, string?> { ["limit"] = "500", ["cursor"] = cursor }, default);
            var page = Assert.IsType<TaskListView>(response.Body);
            Assert.True(JsonSerializer.SerializeToUtf8Bytes(response.Body, ApiJson.Options).Length <= 4096, $"page {pages} is over MaxListBytes");
            Assert.NotEmpty(page.Items);
            listed.AddRange(page.Items.Select(t => t.Id));
            cursor = page.NextCursor;
        }

        Assert.True(pages > 2, $"a 4 KiB cap should split 12 tasks of about 1 KB into several pages, got {pages}");
        Assert.Equal(Enumerable.Reverse(ids), listed);
    }

    [Fact]
    public void Problems_SerialiseAsProblemDetails()
    {
        var json = JsonSerializer.Serialize(TaskApi.Unauthorized("/api/tasks").Body, ApiJson.Options);

        using var document = JsonDocument.Parse(json);
        Assert.Equal(["type", "title", "status", "detail", "instance"], document.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(401, document.RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task EnqueueAsync_SendingOptions_SetTheMessagesEtaExpiresAndLinksAndTheRecordsEta()
    {
        var api = CreateApi(_inner);
        var now = _time.GetUtcNow();

        var response = await api.EnqueueAsync("tasks.add", Json("""
            {"args": [2, 3], "countdown": 90, "expires": "2030-01-01T00:00:00+01:00", "link": [{"task": "tasks.add", "args": [1]}, {"task": "tasks.add", "args": [2], "immutable": true}]}
            """), s_base, default);

        Assert.Equal(202, response.StatusCode);
        var sent = Assert.Single(_broker.Sent).Message;
        Assert.Equal(now.AddSeconds(90), sent.Eta);
        Assert.Equal(new DateTimeOffset(2029, 12, 31, 23, 0, 0, TimeSpan.Zero), sent.Expires);
        var links = sent.Embed.Callbacks!.Value.EnumerateArray().ToArray();
        Assert.Equal(["tasks.add", "tasks.add"], links.Select(l => l.GetProperty("task").GetString()));
        Assert.Equal([false, true], links.Select(l => l.GetProperty("immutable").GetBoolean()));
        Assert.Null(sent.Embed.Errbacks);
        Assert.Equal(now.AddSeconds(90), (await _inner.GetAsync(sent.Id, default))!.Eta);
    }

    [Fact]
    public async Task EnqueueAsync_EtaAsATime_IsSentAsGiven()
    {
        var response = await CreateApi(_inner).EnqueueAsync("tasks.add", Json("""{"args": [2, 3], "eta": "2031-05-06T07:08:09.5Z"}"""), s_base, default);

        Assert.Equal(202, response.StatusCode);
        Assert.Equal(new DateTimeOffset(2031, 5, 6, 7, 8, 9, 500, TimeSpan.Zero), Assert.Single(_broker.Sent).Message.Eta);
    }

    [Fact]
    public async Task EnqueueAsync_TaskMatchingAConfiguredPattern_SendsItForItsResultWithoutCheckingArguments()
    {
        var options = new TaskApiOptions();
        options.Tasks.Add("shop.*");
        var api = CreateApi(_inner, options);

        var response = await api.EnqueueAsync("shop.send_invoice", Json("""{"args": [42, "anything"]}"""), s_base, default);

        Assert.Equal(202, response.StatusCode);
        var sent = Assert.Single(_broker.Sent);
        Assert.True(sent.RecordResult, "a task no local definition describes is sent so that its rpc:// result is recorded");
        Assert.Equal("shop.send_invoice", sent.Message.Name);
        Assert.Equal(TaskState.Pending, (await _inner.GetAsync(sent.Message.Id, default))!.State);
        Assert.Equal(404, (await api.EnqueueAsync("shopping.list", Json("{}"), s_base, default)).StatusCode);
    }

    [Fact]
    public async Task EnqueueAsync_PendingWriteNotLandedYet_Answers202AndReadsWaitForTheWholeRecord()
    {
        var store = new HeldWritesStore<TaskAccepted>(_inner);
        var api = CreateApi(store);

        var response = await api.EnqueueAsync("tasks.add", Json("""{"args": [2, 3]}"""), s_base, default);

        Assert.Equal(202, response.StatusCode);
        var id = Assert.IsType<TaskLinks>(response.Body).Id;
        Assert.Equal("PENDING", Assert.IsType<TaskLinks>(response.Body).State);
        Assert.Null(await _inner.GetAsync(id, default));
        var get = api.GetAsync(id, default);
        var listing = api.ListAsync(new Dictionary<string, string?>(), default);
        var revoke = api.RevokeAsync(id, terminate: false, s_base, default);
        var other = await api.GetAsync("someone-else", default);
        Assert.Equal(404, other.StatusCode);
        Assert.False(get.IsCompleted, "a GET waits for the PENDING write of its task");
        Assert.False(listing.IsCompleted, "a listing waits for the PENDING writes of tasks already accepted");
        Assert.False(revoke.IsCompleted, "a revoke waits for the PENDING write of its task");

        store.Release();

        var view = Assert.IsType<TaskView>((await get).Body);
        Assert.Equal("PENDING", view.State);
        Assert.Equal("[2, 3]", view.Args?.GetRawText());
        var page = Assert.IsType<TaskListView>((await listing).Body);
        Assert.Equal(id, Assert.Single(page.Items).Id);
        Assert.Equal(202, (await revoke).StatusCode);
        var record = (await _inner.GetAsync(id, default))!;
        Assert.Equal(("tasks.add", TaskState.Pending), (record.Name, record.State));
        Assert.NotNull(record.Revoke);
    }

    [Fact]
    public async Task DisposeAsync_PendingWritesInFlight_WaitsUntilTheyLand()
    {
        var store = new HeldWritesStore<TaskAccepted>(_inner);
        var api = CreateApi(store);
        var id = Assert.IsType<TaskLinks>((await api.EnqueueAsync("tasks.add", Json("""{"args": [2, 3]}"""), s_base, default)).Body).Id;

        var stopping = api.DisposeAsync().AsTask();
        Assert.False(stopping.IsCompleted, "a graceful stop waits for the PENDING records of tasks it answered 202 for");
        store.Release();
        await stopping;

        Assert.Equal(TaskState.Pending, (await _inner.GetAsync(id, default))!.State);
    }

    [Fact]
    public async Task Dispose_PendingWritesInFlight_ReturnsOnlyOnceTheyLanded()
    {
        var store = new HeldWritesStore<TaskAccepted>(_inner);
        var api = CreateApi(store);
        var id = Assert.IsType<TaskLinks>((await api.EnqueueAsync("tasks.add", Json("""{"args": [2, 3]}"""), s_base, default)).Body).Id;

        // What the store holds the moment Dispose returns: the write must have landed by then.
        var disposing = Task.Run(async () =>
        {
            api.Dispose();
            return await _inner.GetAsync(id, default);
        });
        Assert.False(disposing.IsCompleted, "a synchronous stop waits for the PENDING records too");
        store.Release();

        Assert.Equal(TaskState.Pending, (await disposing.WaitAsync(TimeSpan.FromSeconds(30)))?.State);
    }

    private TaskApi CreateApi(ITaskStore store, TaskApiOptions? apiOptions = null)
    {
        var tasks = new TaskRegistryOptions();
        Func<int, int, int> add = (x, y) => x + y;
        tasks.Registrations.Add(new TaskRegistration("tasks.add", add.Method, add.Target, null, TaskOptions.Default));
        var registry = new TaskRegistry(Options.Create(tasks));
        var options = Options.Create(apiOptions ?? new TaskApiOptions());
        var catalog = new TaskNameCatalog(registry, [], options, _time, NullLogger<TaskNameCatalog>.Instance);
        return new TaskApi(registry, catalog, store, _broker, _time, options, NullLogger<TaskApi>.Instance);
    }

    private async Task<string> AcceptAsync(string args)
    {
        var id = Guid.NewGuid().ToString();
        using var document = JsonDocument.Parse(args);
        await _inner.ApplyAsync(id, new TaskAccepted(_time.GetUtcNow(), new TaskDescription("tasks.big", document.RootElement.Clone(), CeleryJson.EmptyObject)), default);
        return id;
    }

    private static ReadOnlyMemory<byte> Json(string text) => Encoding.UTF8.GetBytes(text);

    private static string? StateOf(ApiResponse response) => Assert.IsType<TaskView>(response.Body).State;

    private sealed class RecordingBroker : ITaskBroker
    {
        public List<(string Queue, TaskMessage Message, bool RecordResult)> Sent { get; } = [];

        public List<(string Id, bool Terminate)> Revokes { get; } = [];

        public Exception? SendFailure { get; set; }

        public Exception? RevokeFailure { get; set; }

        public ValueTask SendTaskAsync(TaskMessage message, string queue, CancellationToken cancellationToken)
        {
            if (SendFailure is not null)
            {
                throw SendFailure;
            }

            Sent.Add((queue, message, false));
            return ValueTask.CompletedTask;
        }

        public ValueTask SendRecordingResultAsync(TaskMessage message, string queue, CancellationToken cancellationToken)
        {
            if (SendFailure is not null)
            {
                throw SendFailure;
            }

            Sent.Add((queue, message, true));
            return ValueTask.CompletedTask;
        }

        public ValueTask BroadcastRevokeAsync(string taskId, bool terminate, CancellationToken cancellationToken)
        {
            if (RevokeFailure is not null)
            {
                throw RevokeFailure;
            }

            Revokes.Add((taskId, terminate));
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Applies writes but reads nothing yet, as a Durable Entity does for about half a second after a signal.</summary>
    private sealed class NotYetAppliedStore(InMemoryTaskStore inner) : ITaskStore
    {
        public ValueTask<TaskRecord?> GetAsync(string taskId, CancellationToken cancellationToken) => ValueTask.FromResult<TaskRecord?>(null);

        public ValueTask<TransitionResult> ApplyAsync(string taskId, TaskTransition transition, CancellationToken cancellationToken) =>
            inner.ApplyAsync(taskId, transition, cancellationToken);

        public ValueTask<TaskRecordPage> QueryAsync(TaskRecordQuery query, CancellationToken cancellationToken) => inner.QueryAsync(query, cancellationToken);

        public ValueTask<IReadOnlyDictionary<TaskState, long>> CountByStateAsync(CancellationToken cancellationToken) => inner.CountByStateAsync(cancellationToken);
    }

    /// <summary>Returns, on demand, the version of a record before the latest one, as a lagging store would.</summary>
    private sealed class LaggingStore(InMemoryTaskStore inner) : ITaskStore
    {
        private readonly Dictionary<string, List<TaskRecord>> _history = [];

        public bool ServeStale { get; set; }

        public async ValueTask<TaskRecord?> GetAsync(string taskId, CancellationToken cancellationToken)
        {
            var current = await inner.GetAsync(taskId, cancellationToken);
            if (current is null)
            {
                return null;
            }

            var versions = _history.TryGetValue(taskId, out var list) ? list : _history[taskId] = [];
            if (versions.Count == 0 || versions[^1].Version != current.Version)
            {
                versions.Add(current);
            }

            return ServeStale && versions.Count > 1 ? versions[^2] : current;
        }

        public ValueTask<TransitionResult> ApplyAsync(string taskId, TaskTransition transition, CancellationToken cancellationToken) =>
            inner.ApplyAsync(taskId, transition, cancellationToken);

        public ValueTask<TaskRecordPage> QueryAsync(TaskRecordQuery query, CancellationToken cancellationToken) => inner.QueryAsync(query, cancellationToken);

        public ValueTask<IReadOnlyDictionary<TaskState, long>> CountByStateAsync(CancellationToken cancellationToken) => inner.CountByStateAsync(cancellationToken);
    }
}
