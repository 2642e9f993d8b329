using System.Text;
using System.Text.Json;
using Celeriac.Server.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Server.Tests.Examples;

/// <summary>
/// Runs every request of <c>examples/http/tasks.http</c>, in order, against a real <c>celeriac serve</c>, so the
/// documentation's examples keep working.
/// </summary>
public sealed class HttpExamplesTests(WorkerServerFixture fixture, ITestOutputHelper output)
    : ServerTest<WorkerServerFixture>(fixture, output), IClassFixture<WorkerServerFixture>
{
    private static readonly string s_path = Path.Combine(TestEnvironment.RepositoryRoot, "examples", "http", "tasks.http");

    /// <summary>
    /// Every request answers 2xx. None needs special handling, though three depend on timing or state: the GET right
    /// after the enqueue answers 202 or 200 depending on whether tasks.add already finished; the sleeper's terminate
    /// answers 202 whether it is still queued or already running; and the revoke of a fixed id answers 202 because no
    /// task with that id ever finishes in this server's fresh data folder (a finished one would be 409). Afterwards the
    /// comments' promises are checked: the sleeper ends REVOKED ('terminated'), and the text search found the echo task.
    /// </summary>
    [Fact(Timeout = TestTimeouts.Test)]
    public async Task TasksHttp_EveryRequestInOrder_Answers2xx()
    {
        var text = await File.ReadAllTextAsync(s_path);
        var file = HttpFile.Parse(text);
        var separators = text.ReplaceLineEndings("\n").Split('\n').Count(l => l.StartsWith("###", StringComparison.Ordinal));
        Assert.True(file.Requests.Count == separators, $"expected one request per ### in {s_path}: {separators} separators, {file.Requests.Count} requests parsed");
        Assert.True(file.Variables.GetValueOrDefault("baseUrl") == "http://127.0.0.1:7071",
            $"the file's @baseUrl should be where `celeriac serve` listens by default (http://127.0.0.1:7071), not '{file.Variables.GetValueOrDefault("baseUrl")}'");

        var variables = new Dictionary<string, string>(file.Variables) { ["baseUrl"] = Fixture.Server.BaseAddress.ToString().TrimEnd('/') };
        var responses = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var failures = new List<string>();
        ApiAnswer? search = null;
        foreach (var request in file.Requests)
        {
            var answer = await SendAsync(request, variables, responses);
            Output.WriteLine($"### {request.Title}\n{answer.Request} -> {answer}");
            if ((int)answer.Status is < 200 or > 299)
            {
                failures.Add($"line {request.Line} ({request.Title}): {answer.Request} -> {answer}");
            }

            if (request.Name is { } name && answer.ContentType is "application/json")
            {
                responses[name] = answer.Json;
            }

            if (request.Url.Contains("?q=", StringComparison.Ordinal))
            {
                search = answer;
            }
        }

        Assert.True(failures.Count == 0, $"requests of {s_path} that did not answer 2xx:\n{string.Join('\n', failures)}");

        var sleeper = await Api.WaitForFinalAsync(responses["sleeper"].GetProperty("id").GetString()!);
        Assert.True(sleeper.State == "REVOKED" && sleeper.Json.GetProperty("exception").GetProperty("message").GetString() == "terminated",
            $"the file says the sleeper ends REVOKED ('terminated'); got {sleeper}");
        var echo = responses["echo"].GetProperty("id").GetString();
        Assert.True(search is not null && search.Json.GetProperty("items").EnumerateArray().Any(i => i.GetProperty("id").GetString() == echo),
            $"the file says its text search finds the echo task {echo}; it answered {search}");
    }

    private async Task<ApiAnswer> SendAsync(HttpFileRequest request, Dictionary<string, string> variables, Dictionary<string, JsonElement> responses)
    {
        var url = HttpFile.Substitute(request.Url, variables, responses);
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), url);
        var contentType = "text/plain";
        foreach (var (name, value) in request.Headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                contentType = value;
            }
            else
            {
                message.Headers.Add(name, HttpFile.Substitute(value, variables, responses));
            }
        }

        if (request.Body is { } body)
        {
            message.Content = new StringContent(HttpFile.Substitute(body, variables, responses), Encoding.UTF8);
            message.Content.Headers.ContentType = new(contentType);
        }

        using var response = await Api.Http.SendAsync(message);
        return await ApiAnswer.ReadAsync($"{request.Method} {url}", response);
    }
}
