using System.Diagnostics;
using System.Text;

namespace Celeriac.Benchmarks;

/// <summary>A worker (or any peer) run as its own process, its output kept in a log file.</summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _readyMarker;
    private readonly StringBuilder _stdout = new();
    private readonly Lock _lock = new();
    private readonly Queue<string> _tail = new();

    private WorkerProcess(Process process, string logPath, string readyMarker)
    {
        _process = process;
        _log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        _readyMarker = readyMarker;
    }

    public int Pid => _process.Id;

    /// <summary>Everything the process wrote to stdout so far (the peers print their JSON there).</summary>
    public string Stdout
    {
        get
        {
            lock (_lock)
            {
                return _stdout.ToString();
            }
        }
    }

    /// <summary>The last lines the process wrote.</summary>
    public string Tail
    {
        get
        {
            lock (_lock)
            {
                return string.Join('\n', _tail);
            }
        }
    }

    public static WorkerProcess Start(string file, IEnumerable<string> arguments, IDictionary<string, string> environment, string logPath,
        string readyMarker, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process, logPath, readyMarker);
        process.OutputDataReceived += (_, e) => worker.OnLine(e.Data, stdout: true);
        process.ErrorDataReceived += (_, e) => worker.OnLine(e.Data, stdout: false);
        process.Exited += (_, _) => worker._ready.TrySetException(new InvalidOperationException($"{file} exited ({process.ExitCode}) before it was ready; see {logPath}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    public async Task WaitReadyAsync(TimeSpan timeout) => await _ready.Task.WaitAsync(timeout);

    public async Task<bool> WaitExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>SIGTERM (a warm shutdown for every worker here), then SIGKILL to the whole tree if it lingers.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            if (!await WaitExitAsync(TimeSpan.FromSeconds(20)))
            {
                _process.Kill(entireProcessTree: true);
                await WaitExitAsync(TimeSpan.FromSeconds(5));
            }
        }

        _process.Dispose();
        await _log.DisposeAsync();
    }

    private void OnLine(string? line, bool stdout)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            _log.WriteLine(line);
            _tail.Enqueue(line);
            if (_tail.Count > 30)
            {
                _tail.Dequeue();
            }
            if (stdout)
            {
                _stdout.AppendLine(line);
            }
        }

        if (line.Contains(_readyMarker, StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }
}
