namespace Celeriac.Testing;

/// <summary>
/// What the test script set up: a private RabbitMQ node, its management API and Python Celery. The defaults
/// match <c>./test.sh</c>, so a test run from an IDE works while that node runs.
/// </summary>
public static class TestEnvironment
{
    /// <summary>The AMQP URL of the test node's default vhost.</summary>
    public static Uri BrokerUrl { get; } = new(Get("CELERIAC_TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5673/"));

    /// <summary>The test node's management API.</summary>
    public static Uri ManagementUrl { get; } = new(Get("CELERIAC_TEST_RABBITMQ_MANAGEMENT", "http://127.0.0.1:15673"));

    /// <summary>The Python interpreter that has Celery (Debian's python3-celery).</summary>
    public static string Python { get; } = Get("CELERIAC_TEST_PYTHON", "/usr/bin/python3");

    /// <summary>The repository root (the folder holding Functions.sln).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The build configuration the tests run under (Debug or Release), taken from their own output path.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>The built <c>celeriac</c> command line (run with <c>dotnet</c>).</summary>
    public static string CeleriacDll { get; } =
        Path.Combine(RepositoryRoot, "src", "Celeriac.Server", "bin", Configuration, "net10.0", "celeriac.dll");

    private static string Get(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Functions.sln above {AppContext.BaseDirectory}.");
    }
}
