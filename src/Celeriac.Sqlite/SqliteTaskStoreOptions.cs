namespace Celeriac.Sqlite;

/// <summary>Where the SQLite task record store keeps its file, and how it writes to it.</summary>
public sealed class SqliteTaskStoreOptions
{
    /// <summary>The file name used when <see cref="FilePath"/> is not set.</summary>
    public const string DefaultFileName = "tasks.db";

    /// <summary>The default <see cref="MaxBatchSize"/>.</summary>
    public const int DefaultMaxBatchSize = 256;

    /// <summary>The largest <see cref="MaxBatchSize"/> accepted.</summary>
    public const int MaxBatchSizeLimit = 10_000;

    /// <summary>
    /// The database file. Its folder is created when missing; the <c>-wal</c> and <c>-shm</c> files SQLite
    /// keeps beside it belong to it. Default: <c>$XDG_DATA_HOME/celeriac/tasks.db</c>, i.e.
    /// <c>~/.local/share/celeriac/tasks.db</c> (on Windows <c>%LOCALAPPDATA%\celeriac\tasks.db</c>). Every
    /// process that uses the same file sees the same records; the file must be on a local disk (WAL needs
    /// shared memory, which network file systems do not provide).
    /// </summary>
    public string? FilePath { get; set; }

    /// <summary>
    /// How long an operation waits for another process's write to finish before it fails. Default: 10 s,
    /// far above the few milliseconds a write holds the lock.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// At most this many changes are committed in one transaction. Changes that arrive while a commit is
    /// under way wait and are committed together, so one disk flush serves them all. Default: 256, up to
    /// <see cref="MaxBatchSizeLimit"/>.
    /// Setting 1 commits every change in its own transaction: a diagnostic and benchmark knob that shows
    /// what batching saves, not a production setting.
    /// </summary>
    public int MaxBatchSize { get; set; } = DefaultMaxBatchSize;

    /// <summary>The database file's full path, with the default applied.</summary>
    public string ResolveFilePath()
    {
        if (!string.IsNullOrWhiteSpace(FilePath))
        {
            return Path.GetFullPath(FilePath);
        }

        var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        return Path.GetFullPath(Path.Combine(string.IsNullOrEmpty(data) ? "." : data, "celeriac", DefaultFileName));
    }
}
