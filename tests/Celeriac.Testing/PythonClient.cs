using System.Text.Json;

namespace Celeriac.Testing;

/// <summary>
/// A real Python Celery client (<c>Python/driver.py</c> importing the user's <c>examples/python/tasks.py</c>) that
/// a test drives one step at a time: each call sends one JSON command and waits for its JSON reply.
/// </summary>
public sealed class PythonClient : IAsyncDisposable
{
    // Generous: a 2-core machine runs the broker, workers and clients at once; a passing call never waits them out.
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_replyTimeout = TimeSpan.FromSeconds(15);

    private readonly ManagedProcess _process;
    private readonly Action<string> _log;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _sequence;

    private PythonClient(ManagedProcess process, Action<string> log)
    {
        _process = process;
        _log = log;
    }

    /// <summary>The folder of the README's Python files (<c>tasks.py</c>, <c>monitor.py</c>).</summary>
    public static string ExamplesDirectory { get; } = Path.Combine(TestEnvironment.RepositoryRoot, "examples", "python");

    /// <summary>The folder of the tests' Python helpers (<c>driver.py</c> from here, others from the test project), copied to the test output.</summary>
    public static string HelpersDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "Python");

    /// <summary>Starts the client against a vhost (as <c>CELERY_BROKER_URL</c>, which <c>tasks.py</c> reads) and waits until it reads commands.</summary>
    public static async Task<PythonClient> StartAsync(RabbitMqVirtualHost vhost, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(vhost);
        var process = ManagedProcess.Start(TestEnvironment.Python, [Path.Combine(HelpersDirectory, "driver.py"), ExamplesDirectory],
            new Dictionary<string, string> { ["CELERY_BROKER_URL"] = vhost.PyAmqpUrl }, workingDirectory: ExamplesDirectory, log: log,
            label: "python-client", redirectInput: true);
        var client = new PythonClient(process, log);
        try
        {
            await process.WaitForLineAsync(line => IsReply(line, 0), s_startTimeout, "the driver's ready line");
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }

        return client;
    }

    /// <summary><c>add.delay(*args)</c> with the user's <c>add</c> task; the task id.</summary>
    public async Task<string> DelayAsync(params object[] args) => (await ResultAsync(new() { ["op"] = "delay", ["args"] = args })).GetString()!;

    /// <summary><c>app.send_task(name, args, kwargs)</c>; the task id.</summary>
    public async Task<string> SendTaskAsync(string name, object[]? args = null, IReadOnlyDictionary<string, object?>? kwargs = null) =>
        (await ResultAsync(new() { ["op"] = "send_task", ["name"] = name, ["args"] = args ?? [], ["kwargs"] = kwargs ?? new Dictionary<string, object?>() }))
        .GetString()!;

    /// <summary>
    /// <c>app.send_task(name, args=eval(args)).get(timeout)</c>, with the arguments written as a Python expression
    /// (<c>"[float('nan'), 2**70]"</c>) for values JSON cannot carry to the driver. The reply has <c>repr</c> and
    /// <c>type</c> of the result, or <c>error</c> (<c>type</c>, <c>message</c>, <c>traceback</c>).
    /// </summary>
    public Task<JsonElement> CallPythonAsync(string name, string args, TimeSpan timeout) =>
        ResultAsync(new() { ["op"] = "call_python", ["name"] = name, ["args"] = args, ["timeout"] = timeout.TotalSeconds }, timeout + s_replyTimeout);

    /// <summary><c>app.send_task(name, args, **options)</c> with further <c>apply_async</c> options (e.g. <c>compression</c>); the task id.</summary>
    public async Task<string> SendTaskWithOptionsAsync(string name, object[] args, IReadOnlyDictionary<string, object?> options) =>
        (await ResultAsync(new() { ["op"] = "send_task", ["name"] = name, ["args"] = args, ["options"] = options })).GetString()!;

    /// <summary>
    /// <c>app.control.method(*args, **kwargs, reply=True, destination=[node])</c>: the list of replies. Naming the node
    /// lets Celery return as soon as it answered.
    /// </summary>
    public Task<JsonElement> ControlAsync(string method, string node, object?[]? args = null, IReadOnlyDictionary<string, object?>? kwargs = null) =>
        ResultAsync(new()
        {
            ["op"] = "control", ["method"] = method, ["destination"] = new[] { node }, ["timeout"] = 5.0, ["args"] = args ?? [],
            ["kwargs"] = kwargs ?? new Dictionary<string, object?>(),
        });

    /// <summary><c>app.control.inspect(destination=[node]).method(**kwargs)</c>: replies by node name.</summary>
    public Task<JsonElement> InspectAsync(string method, string node, IReadOnlyDictionary<string, object?> kwargs) =>
        ResultAsync(new() { ["op"] = "inspect", ["method"] = method, ["destination"] = new[] { node }, ["timeout"] = 5.0, ["kwargs"] = kwargs });

    /// <summary>
    /// <c>eval(expression).apply_async()</c> for a canvas written in Python (<c>"add.s(2, 2) | add.s(4)"</c>; <c>s('tasks.fail', 'x')</c>
    /// is a signature of a task by name): the result's id, and the ids of its parents (the chain's earlier steps, nearest first).
    /// </summary>
    public async Task<(string Id, string[] Parents)> ApplyCanvasAsync(string expression)
    {
        var reply = await ResultAsync(new() { ["op"] = "apply_canvas", ["expr"] = expression });
        return (reply.GetProperty("id").GetString()!, reply.GetProperty("parents").EnumerateArray().Select(p => p.GetString()!).ToArray());
    }

    /// <summary>
    /// <c>app.send_task(name, args, link=[...], link_error=[...])</c> with the linked signatures (Python expressions as for
    /// <see cref="ApplyCanvasAsync"/>) frozen first: the task's id and the ids the linked tasks will run under.
    /// </summary>
    public async Task<(string Id, string[] Links, string[] LinkErrors)> SendLinkedAsync(string name, object[] args, string[]? link = null, string[]? linkError = null)
    {
        var reply = await ResultAsync(new() { ["op"] = "send_linked", ["name"] = name, ["args"] = args, ["link"] = link ?? [], ["link_error"] = linkError ?? [] });
        return (reply.GetProperty("id").GetString()!, Ids(reply.GetProperty("link")), Ids(reply.GetProperty("link_error")));

        static string[] Ids(JsonElement list) => list.EnumerateArray().Select(p => p.GetString()!).ToArray();
    }

    /// <summary>
    /// A chord sent by Python Celery on rpc://: <c>group(header).apply_async(chord=body)</c> with the body frozen and its
    /// <c>chord_size</c> set (expressions as for <see cref="ApplyCanvasAsync"/>): the body's id and the parts' ids.
    /// </summary>
    public async Task<(string Id, string[] Parts)> SendChordAsync(string[] header, string body)
    {
        ArgumentNullException.ThrowIfNull(header);
        var reply = await ResultAsync(new() { ["op"] = "send_chord", ["header"] = header, ["body"] = body });
        return (reply.GetProperty("id").GetString()!, reply.GetProperty("parts").EnumerateArray().Select(p => p.GetString()!).ToArray());
    }

    /// <summary><c>AsyncResult(id).ready()</c>.</summary>
    public async Task<bool> ReadyAsync(string id) => (await ResultAsync(new() { ["op"] = "ready", ["id"] = id })).GetBoolean();

    /// <summary><c>AsyncResult(id).state</c>.</summary>
    public async Task<string> StateAsync(string id) => (await ResultAsync(new() { ["op"] = "state", ["id"] = id })).GetString()!;

    /// <summary><c>AsyncResult(id).get(timeout)</c>: the result, or the exception it raised.</summary>
    public async Task<PythonOutcome> GetAsync(string id, TimeSpan timeout)
    {
        var reply = await CallAsync(new() { ["op"] = "get", ["id"] = id, ["timeout"] = timeout.TotalSeconds }, timeout + s_replyTimeout);
        return reply.TryGetProperty("error", out var error)
            ? new PythonOutcome(null, new PythonError(error.GetProperty("type").GetString()!, error.GetProperty("message").GetString()!,
                error.GetProperty("traceback").ValueKind == JsonValueKind.String ? error.GetProperty("traceback").GetString() : null))
            : new PythonOutcome(reply.GetProperty("result"), null);
    }

    /// <summary><c>AsyncResult(id).revoke(terminate=...)</c>.</summary>
    public Task RevokeAsync(string id, bool terminate = false) => ResultAsync(new() { ["op"] = "revoke", ["id"] = id, ["terminate"] = terminate });

    /// <summary><c>app.control.revoke(id, reply=...)</c>: what it returned (null without reply, a list of replies with).</summary>
    public Task<JsonElement> ControlRevokeAsync(string id, bool reply) =>
        ResultAsync(new() { ["op"] = "control_revoke", ["id"] = id, ["reply"] = reply });

    /// <summary><c>app.control.ping()</c>: a list of <c>{node: {"ok": "pong"}}</c>.</summary>
    public Task<JsonElement> PingAsync() => ResultAsync(new() { ["op"] = "ping" });

    /// <summary>
    /// <c>app.control.inspect(destination=[node]).method()</c>: replies by node name. Naming the node lets Celery
    /// return as soon as it answered instead of waiting out the timeout.
    /// </summary>
    public Task<JsonElement> InspectAsync(string method, string node) =>
        ResultAsync(new() { ["op"] = "inspect", ["method"] = method, ["destination"] = new[] { node }, ["timeout"] = 5.0 });

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _gate.Dispose();
    }

    private Task<JsonElement> ResultAsync(Dictionary<string, object?> command) => ResultAsync(command, s_replyTimeout);

    private async Task<JsonElement> ResultAsync(Dictionary<string, object?> command, TimeSpan timeout)
    {
        var reply = await CallAsync(command, timeout);
        if (reply.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"The Python client failed on {JsonSerializer.Serialize(command)}: {error}");
        }

        return reply.GetProperty("result");
    }

    private async Task<JsonElement> CallAsync(Dictionary<string, object?> command, TimeSpan timeout)
    {
        await _gate.WaitAsync();
        try
        {
            var sequence = ++_sequence;
            command["seq"] = sequence;
            var from = _process.Lines.Count;
            var json = JsonSerializer.Serialize(command);
            _log($"[python-client] <<< {json}");
            await _process.WriteLineAsync(json);
            var line = await _process.WaitForLineAsync(l => IsReply(l, sequence), timeout, $"the reply to {json}", from);
            using var document = JsonDocument.Parse(line);
            return document.RootElement.Clone();
        }
        finally
        {
            _gate.Release();
        }
    }

    private static bool IsReply(string line, int sequence)
    {
        if (!line.StartsWith('{'))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.TryGetProperty("seq", out var seq) && seq.ValueKind == JsonValueKind.Number && seq.GetInt32() == sequence;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>What <c>get()</c> did: returned <see cref="Result"/> or raised <see cref="Error"/>.</summary>
public sealed record PythonOutcome(JsonElement? Result, PythonError? Error);

/// <summary>An exception raised in Python: <c>type(e).__name__</c>, <c>str(e)</c> and the result's traceback text.</summary>
public sealed record PythonError(string Type, string Message, string? Traceback);
