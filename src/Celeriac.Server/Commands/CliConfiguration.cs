using System.CommandLine;
using Microsoft.Extensions.Configuration;

namespace Celeriac.Server.Commands;

/// <summary>
/// The settings every command reads besides its flags, as an ASP.NET Core app reads them: <c>appsettings.json</c> and
/// <c>appsettings.{Environment}.json</c> (from the current directory, or the folder or file <c>--config</c> names), then
/// <c>CELERIAC__...</c> environment variables over them. Flags given on the command line win over both.
/// </summary>
internal static class CliConfiguration
{
    /// <summary>The section every Celeriac option lives under.</summary>
    public const string Section = "Celeriac";

    public static Option<string?> Config { get; } = new("--config")
    {
        Description = "A folder with appsettings.json (and appsettings.{Environment}.json), or a JSON file. Default: the current directory.",
        Recursive = true,
    };

    /// <summary>The <c>Celeriac</c> section of the configuration. A <c>--config</c> that names nothing is a <see cref="CliFailure"/>.</summary>
    public static IConfigurationSection Build(ParseResult parse)
    {
        var given = parse.GetValue(Config);
        var builder = new ConfigurationBuilder();
        var environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") is { Length: > 0 } dotnet ? dotnet
            : Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") is { Length: > 0 } aspnet ? aspnet
            : "Production";
        if (given is { Length: > 0 } && File.Exists(given))
        {
            var file = Path.GetFullPath(given);
            builder.SetBasePath(Path.GetDirectoryName(file)!).AddJsonFile(Path.GetFileName(file), optional: false);
        }
        else
        {
            var folder = Path.GetFullPath(given is { Length: > 0 } ? given : ".");
            if (!Directory.Exists(folder))
            {
                throw new CliFailure($"--config {given}: no such file or folder.");
            }

            builder.SetBasePath(folder)
                .AddJsonFile("appsettings.json", optional: true)
                .AddJsonFile($"appsettings.{environment}.json", optional: true);
        }

        builder.AddEnvironmentVariables();
        try
        {
            return builder.Build().GetSection(Section);
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or IOException)
        {
            throw new CliFailure($"Cannot read the configuration: {ex.GetBaseException().Message}", ex);
        }
    }

    /// <summary>True, with the value, when <paramref name="option"/> was given on the command line (not its default).</summary>
    public static bool TryGetExplicit<T>(ParseResult parse, Option<T> option, out T value)
    {
        value = parse.GetValue(option)!;
        return parse.GetResult(option) is { Implicit: false };
    }
}
