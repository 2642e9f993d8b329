using System.Globalization;
using System.Text;
using Celeriac.Core.Execution;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Core.Revocation;

/// <summary>
/// Revokes that survive a restart: an append-only file per worker node in the state directory (what Celery
/// needs <c>--statedb</c> for, on by default). Each revoke is flushed to disk before it is acknowledged; the
/// file is rewritten without stale lines when it grows to twice the live entries.
/// </summary>
public sealed class FileRevokedTasks : IRevokedTasks, IDisposable
{
    private readonly RevokedTaskSet _set;
    private readonly TimeProvider _time;
    private readonly string _path;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private FileStream? _file;
    private int _linesInFile;

    /// <summary>Opens (or creates) the node's revoke file and loads it.</summary>
    public FileRevokedTasks(IOptions<WorkerOptions> worker, IOptions<RevocationOptions> options, TimeProvider time, ILogger<FileRevokedTasks> logger)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _set = new RevokedTaskSet(options.Value.MaxEntries, options.Value.RetainFor);
        var directory = worker.Value.ResolveStateDirectory();
        Directory.CreateDirectory(directory);
        _path = Path.Combine(directory, SafeFileName(worker.Value.Hostname) + ".revoked");
        Load();
        Log.RevokesLoaded(logger, _set.Count, _path);
    }

    /// <summary>The file the revokes are kept in.</summary>
    public string FilePath => _path;

    /// <inheritdoc />
    public ValueTask<bool> IsRevokedAsync(string taskId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_set.Contains(taskId, _time.GetUtcNow()));

    /// <inheritdoc />
    public async ValueTask AddAsync(IReadOnlyCollection<string> taskIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskIds);
        var now = _time.GetUtcNow();
        var lines = new StringBuilder();
        foreach (var id in taskIds)
        {
            _set.Add(id, now);
            lines.Append(CultureInfo.InvariantCulture, $"{now.ToUnixTimeMilliseconds()} {id}\n");
        }

        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            _file ??= OpenForAppend();
            await _file.WriteAsync(Encoding.UTF8.GetBytes(lines.ToString()), cancellationToken);
            _file.Flush(flushToDisk: true);
            _linesInFile += taskIds.Count;
            if (_linesInFile > 1024 && _linesInFile > 2 * _set.Count)
            {
                Compact(now);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyCollection<string>> ListAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyCollection<string>>(_set.Snapshot(_time.GetUtcNow()).Select(e => e.Key).ToArray());

    /// <inheritdoc />
    public void Dispose()
    {
        _file?.Dispose();
        _writeLock.Dispose();
    }

    private void Load()
    {
        if (!File.Exists(_path))
        {
            return;
        }

        foreach (var line in File.ReadLines(_path))
        {
            _linesInFile++;
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            // A torn last line (crash mid-write) is skipped: that revoke was never acknowledged.
            if (space > 0 && long.TryParse(line.AsSpan(0, space), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) && space < line.Length - 1)
            {
                _set.Add(line[(space + 1)..], DateTimeOffset.FromUnixTimeMilliseconds(ms));
            }
        }
    }

    private void Compact(DateTimeOffset now)
    {
        var live = _set.Snapshot(now);
        var temp = _path + ".tmp";
        using (var writer = new StreamWriter(temp, append: false, new UTF8Encoding(false)))
        {
            foreach (var (id, at) in live)
            {
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"{at.ToUnixTimeMilliseconds()} {id}\n"));
            }

            writer.Flush();
            ((FileStream)writer.BaseStream).Flush(flushToDisk: true);
        }

        _file?.Dispose();
        File.Move(temp, _path, overwrite: true);
        _file = OpenForAppend();
        _linesInFile = live.Count;
    }

    private FileStream OpenForAppend()
    {
        // A crash mid-write can leave a last line without its newline. Start on a fresh line, or the next
        // revoke would be glued to the torn one and lost on the next load.
        var tornTail = EndsWithTornLine();
        var file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read);
        if (tornTail)
        {
            file.WriteByte((byte)'\n');
        }

        return file;
    }

    private bool EndsWithTornLine()
    {
        if (!File.Exists(_path))
        {
            return false;
        }

        using var reader = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (reader.Length == 0)
        {
            return false;
        }

        reader.Seek(-1, SeekOrigin.End);
        return reader.ReadByte() != '\n';
    }

    private static string SafeFileName(string name)
    {
        var invalid = Path.GetInvalidFileNameChars();
        return new string(name.Select(c => Array.IndexOf(invalid, c) >= 0 ? '_' : c).ToArray());
    }
}
