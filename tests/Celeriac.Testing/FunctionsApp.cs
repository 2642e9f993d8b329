namespace Celeriac.Testing;

/// <summary>The built Azure Functions app (src/Celeriac.Functions), as the Functions host would load it.</summary>
public static class FunctionsApp
{
    /// <summary>The app's output folder: its dll, functions.metadata, host.json and worker.config.json.</summary>
    public static string Directory { get; } =
        Path.Combine(TestEnvironment.RepositoryRoot, "src", "Celeriac.Functions", "bin", TestEnvironment.Configuration, "net10.0");

    /// <summary>The worker's entry assembly.</summary>
    public static string Dll { get; } = Path.Combine(Directory, "Celeriac.Functions.dll");
}
