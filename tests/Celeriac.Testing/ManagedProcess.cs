using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Celeriac.Testing;

/// <summary>
/// A child process a test starts (a worker, a Python client): its output lines are kept and can be waited
/// for, it can be sent a signal, and it is killed on dispose if it is still running.
/// </summary>
public sealed partial class ManagedProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Lock _lock = new();
    private readonly Action<string>? _log;
    private readonly string _label;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ManagedProcess(Process process, string label, Action<string>? log)
    {
        _process = process;
        _label = label;
        _log = log;
    }

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>True once the process exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code (after exit).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Every line written so far (stdout and stderr interleaved as they arrived).</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lock)
            {
                return _lines.ToArray();
            }
        }
    }

    /// <summary>All output so far as one text.</summary>
    public string Output => string.Join('\n', Lines);

    /// <summary>Starts a process; <paramref name="log"/> receives every line (e.g. ITestOutputHelper.WriteLine).</summary>
    public static ManagedProcess Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null, Action<string>? log = null, string? label = null, bool redirectInput = false)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["PYTHONUNBUFFERED"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var managed = new ManagedProcess(process, label ?? Path.GetFileName(fileName), log);
        process.OutputDataReceived += (_, e) => managed.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => managed.OnLine(e.Data);
        process.Exited += (_, _) => managed.Signal();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    /// <summary>Writes a line to the process's stdin.</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Waits until a line (written after <paramref name="fromLine"/>) matches; fails with the whole output on timeout or exit.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what, int fromLine = 0)
    {
        ArgumentNullException.ThrowIfNull(match);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                for (var i = fromLine; i < _lines.Count; i++)
                {
                    if (match(_lines[i]))
                    {
                        return _lines[i];
                    }
                }

                changed = _changed.Task;
            }

            if (_process.HasExited && changed.IsCompleted)
            {
                // Exited: give the output readers a moment to deliver the last lines, then fail.
                await _process.WaitForExitAsync();
                lock (_lock)
                {
                    for (var i = fromLine; i < _lines.Count; i++)
                    {
                        if (match(_lines[i]))
                        {
                            return _lines[i];
                        }
                    }
                }

                throw new InvalidOperationException($"{_label} exited ({_process.ExitCode}) before {what}. Output:\n{Output}");
            }

            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#}s waiting for {what} from {_label}. Output:\n{Output}");
            }

            await Task.WhenAny(changed, Task.Delay(remaining));
        }
    }

    /// <summary>Waits for a line matching a regular expression.</summary>
    public Task<string> WaitForLineAsync(Regex pattern, TimeSpan timeout, int fromLine = 0)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return WaitForLineAsync(pattern.IsMatch, timeout, $"a line matching /{pattern}/", fromLine);
    }

    /// <summary>Waits for a line containing <paramref name="text"/>.</summary>
    public Task<string> WaitForLineAsync(string text, TimeSpan timeout, int fromLine = 0) =>
        WaitForLineAsync(l => l.Contains(text, StringComparison.Ordinal), timeout, $"a line containing '{text}'", fromLine);

    /// <summary>Sends a POSIX signal (15 = SIGTERM, 2 = SIGINT).</summary>
    public void Signal(int signal)
    {
        if (!_process.HasExited && Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Waits for the process to exit; returns its exit code. Fails on timeout.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{_label} did not exit within {timeout.TotalSeconds:0.#}s. Output:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            Signal();
            return;
        }

        lock (_lock)
        {
            _lines.Add(line);
        }

        try
        {
            _log?.Invoke($"[{_label}] {line}");
        }
        catch (InvalidOperationException)
        {
            // The test that owned the log sink has finished; the line is still kept.
        }

        Signal();
    }

    private void Signal()
    {
        TaskCompletionSource previous;
        lock (_lock)
        {
            previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
