using System.Threading.Channels;
using Celeriac.Core;
using Celeriac.Core.Records;
using Celeriac.Core.States;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Sqlite;

/// <summary>
/// Task records in a SQLite file: the embedded default store. Several processes on one machine may use the
/// same file at once; every change is atomic per task across all of them and durable before its caller hears
/// of it.
/// </summary>
/// <remarks>
/// <para>
/// Writes: <see cref="ApplyAsync"/> queues the change for this instance's single writer, which takes every change
/// waiting (up to <see cref="SqliteTaskStoreOptions.MaxBatchSize"/>) and commits them in one
/// <c>BEGIN IMMEDIATE</c> transaction: read each record, apply <see cref="TaskStateMachine"/>, write back with a
/// compare-and-set on the version. The disk flush, most of a commit's cost, is paid once per batch, so the store
/// keeps up with many concurrent workers; a lone caller still gets a transaction of its own at once.
/// </para>
/// <para>
/// Reads (<see cref="GetAsync"/>, <see cref="QueryAsync"/>, <see cref="CountByStateAsync"/>) use their own
/// connections and see the last commit of any process; WAL lets them run while a write is under way.
/// </para>
/// </remarks>
public sealed class SqliteTaskStore : ITaskStore, IAsyncDisposable
{
    // A compare-and-set miss under the write lock is a bug or a rogue writer: retry a few times, then fail loudly.
    private const int MaxAttempts = 3;
    private static readonly TimeSpan s_slowCommit = TimeSpan.FromSeconds(1);

    private readonly string _path;
    private readonly TimeSpan _busyTimeout;
    private readonly int _maxBatchSize;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<PendingApply> _pending = Channel.CreateUnbounded<PendingApply>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ReaderPool _readers;
    private readonly Lock _initializeLock = new();
    private readonly Task _writerLoop;
    private volatile bool _initialized;
    private TaskRecordWriter? _writer;
    private int _disposed;

    /// <summary>Creates the store; the file is opened (and created or upgraded) on first use.</summary>
    /// <exception cref="OptionsValidationException">The options cannot work.</exception>
    public SqliteTaskStore(IOptions<SqliteTaskStoreOptions> options, ILogger<SqliteTaskStore> logger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var value = options.Value;
        var validation = new SqliteTaskStoreOptionsValidator().Validate(Options.DefaultName, value);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(SqliteTaskStoreOptions), validation.Failures);
        }

        _path = value.ResolveFilePath();
        _busyTimeout = value.BusyTimeout;
        _maxBatchSize = value.MaxBatchSize;
        _logger = logger;
        _time = timeProvider;
        _readers = new ReaderPool(_path, _busyTimeout, maxIdle: Math.Max(4, Environment.ProcessorCount * 2));
        _writerLoop = Task.Run(WriteLoopAsync);
    }

    /// <summary>The database file's full path.</summary>
    public string FilePath => _path;

    /// <inheritdoc />
    /// <remarks>
    /// True: every change goes through one queue to the single writer, which commits batches in queue order and answers a
    /// change only after its batch is committed (or failed).
    /// </remarks>
    public bool AppliesInCallOrder => true;

    /// <inheritdoc />
    public ValueTask<TaskRecord?> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(connection =>
        {
            var command = connection.GetCommand();
            command.Parameters["$id"].Value = taskId;
            using var reader = command.ExecuteReader();
            return reader.Read() ? ReadRecord(reader) : null;
        }));
    }

    /// <inheritdoc />
    /// <remarks>Reads the one property in SQL: about half the cost of <see cref="GetAsync"/>, which materializes the record.</remarks>
    public ValueTask<bool> IsRevokeRequestedAsync(string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(connection =>
        {
            var command = connection.RevokeRequestedCommand();
            command.Parameters["$id"].Value = taskId;
            using var reader = command.ExecuteReader();
            return reader.Read() && reader.GetInt64(0) != 0;
        }));
    }

    /// <inheritdoc />
    /// <remarks>
    /// The result comes after the change is committed and flushed to disk. A caller that cancels while its change
    /// waits for the writer withdraws it; once the writer has taken it, it commits whether or not the caller still
    /// waits.
    /// </remarks>
    public ValueTask<TransitionResult> ApplyAsync(string taskId, TaskTransition transition, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        ArgumentNullException.ThrowIfNull(transition);
        cancellationToken.ThrowIfCancellationRequested();
        var change = new PendingApply(taskId, transition, cancellationToken);
        if (!_pending.Writer.TryWrite(change))
        {
            throw new ObjectDisposedException(nameof(SqliteTaskStore));
        }

        return new ValueTask<TransitionResult>(change.Answered.WaitAsync(cancellationToken));
    }

    /// <inheritdoc />
    public ValueTask<TaskRecordPage> QueryAsync(TaskRecordQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var cursor = query.Cursor is { } text ? TaskRecordCursor.Parse(text) : null;
        var limit = Math.Clamp(query.Limit, 1, TaskRecordQuery.MaxLimit);
        cancellationToken.ThrowIfCancellationRequested();
        var records = Read(connection =>
        {
            using var command = TaskRecordSql.Query(connection.Connection, query, cursor, limit + 1);
            using var reader = command.ExecuteReader();
            var list = new List<TaskRecord>(Math.Min(limit + 1, 64));
            while (reader.Read())
            {
                list.Add(ReadRecord(reader));
            }

            return list;
        });

        var next = records.Count > limit ? TaskRecordCursor.After(records[limit - 1]).ToString() : null;
        if (records.Count > limit)
        {
            records.RemoveAt(limit);
        }

        return ValueTask.FromResult(new TaskRecordPage(records, next));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyDictionary<TaskState, long>> CountByStateAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyDictionary<TaskState, long> counts = Read(connection =>
        {
            using var command = connection.Connection.CreateCommand();
            command.CommandText = "SELECT state, COUNT(*) FROM task_records GROUP BY state;";
            using var reader = command.ExecuteReader();
            var counts = new Dictionary<TaskState, long>();
            while (reader.Read())
            {
                if (TaskStates.TryParseWireName(reader.GetString(0), out var state))
                {
                    counts[state] = reader.GetInt64(1);
                }
            }

            return counts;
        });
        return ValueTask.FromResult(counts);
    }

    /// <summary>Writes every change accepted so far, then closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _pending.Writer.TryComplete();
        await _writerLoop;
        _writer?.Dispose();
        _writer = null;
        _readers.Dispose();
    }

    private T Read<T>(Func<ReaderConnection, T> read)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        EnsureInitialized();
        var connection = _readers.Rent();
        try
        {
            return read(connection);
        }
        finally
        {
            _readers.Return(connection);
        }
    }

    private static TaskRecord ReadRecord(SqliteDataReader reader) => TaskRecordJson.FromStored(
        reader.GetString(0),
        TaskRecordWriter.NullableString(reader, 1),
        TaskRecordWriter.NullableString(reader, 2),
        TaskRecordWriter.NullableString(reader, 3));

    // Creates the folder, switches to WAL and brings the schema up to date, once per instance.
    private void EnsureInitialized()
    {
        if (_initialized)
        {
            return;
        }

        lock (_initializeLock)
        {
            if (_initialized)
            {
                return;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            using var connection = SqliteDatabase.Open(_path, _busyTimeout, reader: false);
            var (from, to) = SqliteDatabase.Prepare(connection, _busyTimeout, _time);
            if (from != to)
            {
                Log.SchemaUpgraded(_logger, _path, from, to);
            }

            Log.Opened(_logger, _path);
            _initialized = true;
        }
    }

    // The single writer: runs until the store is disposed and every queued change is written.
    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingApply>();
        var results = new TransitionResult?[_maxBatchSize];
        var errors = new Exception?[_maxBatchSize];
        while (await _pending.Reader.WaitToReadAsync())
        {
            while (batch.Count < _maxBatchSize && _pending.Reader.TryRead(out var change))
            {
                if (change.CancellationToken.IsCancellationRequested)
                {
                    change.Withdraw();
                }
                else
                {
                    batch.Add(change);
                }
            }

            if (batch.Count > 0)
            {
                await CommitAsync(batch, results, errors);
            }

            // Not kept while the loop waits: a batch's changes hold whole records (1 MB arguments and results make a
            // batch of 256 hold hundreds of MB), and so do the results of a batch that failed.
            batch.Clear();
            Array.Clear(results);
            Array.Clear(errors);
        }
    }

    // Commits one batch and answers its callers: each with its own result, or all with the error that stopped it.
    private async Task CommitAsync(List<PendingApply> batch, TransitionResult?[] results, Exception?[] errors)
    {
        var started = _time.GetTimestamp();
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                EnsureInitialized();
                _writer ??= new TaskRecordWriter(SqliteDatabase.Open(_path, _busyTimeout, reader: false), _busyTimeout, _time);
                var conflict = await _writer.TryApplyAsync(batch, results, errors);
                if (conflict is null)
                {
                    break;
                }

                Log.VersionConflict(_logger, conflict, attempt);
                if (attempt == MaxAttempts)
                {
                    throw new InvalidOperationException(
                        $"Task {conflict} kept changing under the write lock ({MaxAttempts} attempts); something writes to {_path} without taking the lock.");
                }
            }
        }
        catch (Exception ex) when (!Fatal.IsFatal(ex))
        {
            // Nothing of the batch was written. A fresh connection for the next batch, in case this one is unusable.
            Log.BatchFailed(_logger, batch.Count, _path, ex);
            _writer?.Dispose();
            _writer = null;
            PendingApply.FailAll(batch, ex);
            return;
        }

        var elapsed = _time.GetElapsedTime(started);
        if (elapsed > s_slowCommit)
        {
            Log.SlowCommit(_logger, batch.Count, elapsed.TotalMilliseconds);
        }
        else
        {
            Log.BatchCommitted(_logger, batch.Count, elapsed.TotalMilliseconds);
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (errors[i] is { } error)
            {
                Log.TransitionFailed(_logger, batch[i].Transition.GetType().Name, batch[i].TaskId, error);
            }
        }

        // Only now, after the commit: a caller never hears of a change that a crash could still undo.
        PendingApply.AnswerAll(batch, results, errors);
    }

}
