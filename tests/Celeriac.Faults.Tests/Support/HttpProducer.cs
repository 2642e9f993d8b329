using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Celeriac.Faults.Tests.Support;

/// <summary>
/// A client that keeps enqueueing <c>tasks.add(i, 1)</c> over HTTP, one request after another, while a test breaks
/// things, and remembers every answer: which tasks were accepted (202, so they must not be lost) and what the others were.
/// </summary>
public sealed class HttpProducer : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly TimeSpan _pause;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<ProducerAnswer> _answers = new();
    private readonly Task _loop;

    /// <summary>Starts sending at once, pausing <paramref name="pause"/> between requests.</summary>
    public HttpProducer(HttpClient http, TimeSpan pause)
    {
        _http = http;
        _pause = pause;
        _loop = RunAsync();
    }

    /// <summary>Every answer so far, in order.</summary>
    public IReadOnlyList<ProducerAnswer> Answers => _answers.ToArray();

    /// <summary>The ids of the accepted tasks with the value each must return.</summary>
    public IReadOnlyDictionary<string, long> Accepted =>
        _answers.Where(a => a.Status == HttpStatusCode.Accepted).ToDictionary(a => a.TaskId!, a => a.Expected, StringComparer.Ordinal);

    /// <summary>Stops sending and waits for the request in flight.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        for (long i = 0; !_stop.IsCancellationRequested; i++)
        {
            var started = DateTimeOffset.UtcNow;
            try
            {
                using var content = new StringContent(string.Create(CultureInfo.InvariantCulture, $"{{\"args\": [{i}, 1]}}"), Encoding.UTF8, "application/json");
                // Not cancelled by the stop: a request in flight is answered and counted.
                using var response = await _http.PostAsync("api/tasks/tasks.add", content, CancellationToken.None);
                var text = await response.Content.ReadAsStringAsync(CancellationToken.None);
                string? id = null;
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    using var document = JsonDocument.Parse(text);
                    id = document.RootElement.GetProperty("id").GetString();
                }

                _answers.Enqueue(new ProducerAnswer(started, response.StatusCode, id, i + 1, response.Headers.RetryAfter?.Delta, text));
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
            {
                // No answer at all (or an unreadable one) is an answer too: the test counts it.
                _answers.Enqueue(new ProducerAnswer(started, null, null, i + 1, null, ex.GetType().Name + ": " + ex.Message));
            }

            try
            {
                await Task.Delay(_pause, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

/// <summary>One answer the producer got: its status (null when the request failed without one), the task id of a 202.</summary>
public sealed record ProducerAnswer(DateTimeOffset Sent, HttpStatusCode? Status, string? TaskId, long Expected, TimeSpan? RetryAfter, string Text);
