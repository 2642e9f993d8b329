using System.IO.Compression;
using System.Xml.Linq;

namespace Celeriac.Samples.Tests;

/// <summary>What a user gets from NuGet: metadata, readme, symbols, and the command line as a .NET tool.</summary>
[Collection(SampleCollection.Name)]
public sealed class PackageTests(SamplePackages packages, ITestOutputHelper output)
{
    public static TheoryData<string> PackageIds => new() { "Celeriac.Core", "Celeriac.RabbitMQ", "Celeriac.Sqlite", "Celeriac.AspNetCore", "Celeriac.Server" };

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Pack_EveryProject_HasReadmeLicenseRepositoryAndSymbols(string id)
    {
        var package = Path.Combine(packages.PackageDirectory, $"{id}.{packages.Version}.nupkg");
        Assert.True(File.Exists(Path.ChangeExtension(package, ".snupkg")), $"no symbols package beside {package}");
        using var zip = ZipFile.OpenRead(package);
        using var nuspec = zip.GetEntry($"{id}.nuspec")!.Open();
        var root = XDocument.Load(nuspec).Root!;
        var ns = root.Name.Namespace;
        var metadata = root.Element(ns + "metadata")!;

        Assert.Equal(id, metadata.Element(ns + "id")!.Value);
        Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
        Assert.NotNull(zip.GetEntry("README.md"));
        Assert.Equal(("expression", "MIT"), (metadata.Element(ns + "license")?.Attribute("type")?.Value, metadata.Element(ns + "license")?.Value));
        Assert.StartsWith("https://", metadata.Element(ns + "repository")?.Attribute("url")?.Value, StringComparison.Ordinal);
        Assert.Equal(metadata.Element(ns + "repository")!.Attribute("url")!.Value, metadata.Element(ns + "projectUrl")?.Value);
        Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")?.Value));
    }

    [Fact]
    public void SampleBuild_FromThePackedPackages_PrintsNoWarning()
    {
        // A consumer's build must not inherit our dependencies' warnings (once NETSDK1206 from the SQLite package).
        output.WriteLine(packages.SampleBuildOutput);
        Assert.DoesNotContain("NETSDK1206", packages.SampleBuildOutput, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\s*0 Warning\(s\)", packages.SampleBuildOutput);
    }

    [Fact(Timeout = 600_000)]
    public async Task ToolInstall_ServerPackage_GivesACeleriacCommandWhoseHelpNeedsNoBroker()
    {
        var tools = Path.Combine(packages.Root, "tools");
        await SamplePackages.RunAsync("dotnet", ["tool", "install", "Celeriac.Server", "--version", packages.Version, "--add-source", packages.PackageDirectory,
            "--tool-path", tools], "tool install");

        // No broker at this address: --help must not need one.
        var help = await SamplePackages.RunAsync(Path.Combine(tools, "celeriac"), ["--help"], "celeriac --help",
            new Dictionary<string, string> { ["CELERIAC_BROKER_URL"] = "amqp://guest:guest@127.0.0.1:1/" });
        output.WriteLine(help);

        Assert.Contains("Usage:", help, StringComparison.Ordinal);
        Assert.Contains("worker", help, StringComparison.Ordinal);
    }
}
