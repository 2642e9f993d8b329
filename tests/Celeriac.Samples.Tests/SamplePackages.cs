using System.Globalization;
using Celeriac.Testing;

namespace Celeriac.Samples.Tests;

/// <summary>
/// Packs src/ (the projects Celeriac.Packages.slnf lists) once per test run (from the build test.sh just made: <c>dotnet pack --no-build</c>) under a version of
/// its own, so the NuGet cache never serves a stale package, and builds examples/SampleApp against those packages.
/// </summary>
public sealed class SamplePackages : IAsyncLifetime
{
    private static readonly TimeSpan s_packTimeout = TimeSpan.FromMinutes(4);

    public string Root { get; } = Directory.CreateTempSubdirectory("celeriac-samples-").FullName;

    /// <summary>A pre-release version no earlier run used.</summary>
    public string Version { get; } = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    public string PackageDirectory => Path.Combine(Root, "packages");

    public string SampleDirectory => Path.Combine(Root, "sample");

    public string SampleDll => Path.Combine(SampleDirectory, "SampleApp.dll");

    /// <summary>What building the sample printed (its warnings, if any).</summary>
    public string SampleBuildOutput { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await RunAsync("dotnet", ["pack", Path.Combine(TestEnvironment.RepositoryRoot, "Celeriac.Packages.slnf"), "-c", TestEnvironment.Configuration, "--no-build",
            "-o", PackageDirectory, $"-p:PackageVersion={Version}", "-nologo"], "pack");

        // Restored into a private folder (the machine's cache only as a fallback for third-party packages), so the
        // run leaves no Celeriac package behind; the intermediate files stay out of the repository too.
        SampleBuildOutput = await RunAsync("dotnet", ["build", Path.Combine(TestEnvironment.RepositoryRoot, "examples", "SampleApp", "SampleApp.csproj"),
            "-c", "Release", "-o", SampleDirectory, "-nologo",
            $"-p:CeleriacVersion={Version}",
            $"-p:RestoreAdditionalProjectSources={PackageDirectory}",
            $"-p:RestorePackagesPath={Path.Combine(Root, "nuget")}",
            $"-p:RestoreFallbackFolders={Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages")}",
            $"-p:BaseIntermediateOutputPath={Path.Combine(Root, "obj")}{Path.DirectorySeparatorChar}"], "build of the sample");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Root, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Runs a command to its end; its output, or an exception with it when it fails.</summary>
    public static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, string what,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        await using var process = ManagedProcess.Start(fileName, arguments, environment, workingDirectory, label: what);
        var exitCode = await process.WaitForExitAsync(s_packTimeout);
        return exitCode == 0 ? process.Output : throw new InvalidOperationException($"The {what} failed (exit code {exitCode}):\n{process.Output}");
    }
}
