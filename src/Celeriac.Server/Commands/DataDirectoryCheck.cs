namespace Celeriac.Server.Commands;

/// <summary>Where task records live: resolved once and checked before anything starts.</summary>
internal static class DataDirectoryCheck
{
    /// <summary>
    /// Creates the folder if need be and proves it is writable, so an unusable one stops the process at start-up with
    /// the path and the reason, instead of every delivery failing later.
    /// </summary>
    public static string EnsureUsable(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
            var probe = Path.Combine(path, $".celeriac-write-check-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return path;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliFailure($"The data directory {path} cannot be used: {Reason(path, ex)} (set --data-dir or ${WorkerSettings.DataDirectoryVariable})", ex);
        }
    }

    // .NET says "Could not find a part of the path" when a file stands where a folder should: name the file instead.
    private static string Reason(string path, Exception error)
    {
        for (var folder = Path.GetFullPath(path); !string.IsNullOrEmpty(folder); folder = Path.GetDirectoryName(folder))
        {
            if (File.Exists(folder))
            {
                return $"{folder} is a file, not a folder";
            }
        }

        return error is UnauthorizedAccessException ? "permission denied" : error.Message;
    }
}
