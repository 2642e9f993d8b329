namespace Celeriac.Testing;

/// <summary>
/// Sends the output of processes a class fixture shares (a worker, a server, a Python client) to the test that is
/// running now, so each test's log shows what the peers did during it. Tests in a class run one at a time.
/// </summary>
public sealed class LogRelay
{
    private volatile Action<string>? _writeLine;

    /// <summary>Routes lines to the current test's output (e.g. <c>ITestOutputHelper.WriteLine</c>) until <see cref="Detach"/>.</summary>
    public void Attach(Action<string> writeLine) => _writeLine = writeLine;

    /// <summary>Stops routing lines (the test finished); lines written meanwhile stay in the processes' captures.</summary>
    public void Detach() => _writeLine = null;

    /// <summary>Writes a line to the current test's output, if a test is running.</summary>
    public void WriteLine(string line)
    {
        try
        {
            _writeLine?.Invoke(line);
        }
        catch (InvalidOperationException)
        {
            // The test finished between the check and the write.
        }
    }
}
