namespace Celeriac.Server.Tests.Support;

/// <summary>
/// Sends the output of processes a class fixture shares (the server, a Python client) to the test that is running
/// now, so each test's log shows what the server did during it. Tests in a class run one at a time.
/// </summary>
public sealed class LogRelay
{
    private volatile ITestOutputHelper? _output;

    /// <summary>Routes lines to <paramref name="output"/> until <see cref="Detach"/>.</summary>
    public void Attach(ITestOutputHelper output) => _output = output;

    /// <summary>Stops routing lines; lines written meanwhile stay in the processes' captures.</summary>
    public void Detach() => _output = null;

    /// <summary>Writes a line to the current test's output, if a test is running.</summary>
    public void WriteLine(string line)
    {
        try
        {
            _output?.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test finished between the check and the write.
        }
    }
}
