using Celeriac.Core;
using Celeriac.Core.Records;
using Celeriac.Core.States;
using Microsoft.Data.Sqlite;

namespace Celeriac.Sqlite;

/// <summary>
/// The store's one write connection. Applies a batch of changes in one transaction: under
/// <c>BEGIN IMMEDIATE</c> (the file's write lock, held across processes) it reads each record, runs
/// <see cref="TaskStateMachine"/>, and writes back with a compare-and-set on the version it read.
/// </summary>
/// <remarks>
/// Changes to the same task in one batch apply in order, each to the record the one before produced, and the record
/// is serialized and written once, after the last of them. The compare-and-set cannot miss while the lock is held; a
/// miss means a bug or a writer that bypasses the lock, and the caller retries the whole batch from fresh reads.
/// </remarks>
internal sealed class TaskRecordWriter : IDisposable
{
    private const string StateColumns = "state = $state, version = $version, record = $record, args = $args, kwargs = $kwargs, result = $result";

    private const string KeyColumns = "name = $name, worker = $worker, created_ticks = $created";

    // The records this writer committed last, kept while their tasks are under way (see RememberWritten).
    private const int MaxWrittenRecords = 1024;
    private const int MaxWrittenRecordChars = 8 * 1024;

    private readonly SqliteConnection _connection;
    private readonly TimeSpan _busyTimeout;
    private readonly TimeProvider _time;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _rollback;
    private readonly SqliteCommand _select;
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _update;
    private readonly SqliteCommand _updateState;
    private readonly Dictionary<string, (long Version, TaskRecord Record)> _written = new(StringComparer.Ordinal);

    public TaskRecordWriter(SqliteConnection connection, TimeSpan busyTimeout, TimeProvider time)
    {
        _connection = connection;
        _busyTimeout = busyTimeout;
        _time = time;
        _commit = Command("COMMIT;");
        _rollback = Command("ROLLBACK;");
        // The columns only when the row is not at the version this writer last wrote ($known), whose record it still has.
        _select = Command("SELECT version, iif(version = $known, NULL, record), iif(version = $known, NULL, args), " +
            "iif(version = $known, NULL, kwargs), iif(version = $known, NULL, result) FROM task_records WHERE id = $id;");
        _select.Parameters.Add("$id", SqliteType.Text);
        _select.Parameters.Add("$known", SqliteType.Integer);
        _insert = RecordCommand(
            "INSERT INTO task_records (id, state, name, worker, created_ticks, version, record, args, kwargs, result) " +
            "VALUES ($id, $state, $name, $worker, $created, $version, $record, $args, $kwargs, $result) ON CONFLICT (id) DO NOTHING;");
        _update = RecordCommand($"UPDATE task_records SET {StateColumns}, {KeyColumns} WHERE id = $id AND version = $expected;");
        _update.Parameters.Add("$expected", SqliteType.Integer);
        // Most changes move the state only: leaving the name, worker and creation time out of the SET spares SQLite
        // rewriting their three index entries (it rewrites the entries of every indexed column assigned, changed or not).
        _updateState = StateCommand($"UPDATE task_records SET {StateColumns} WHERE id = $id AND version = $expected;");
        _updateState.Parameters.Add("$expected", SqliteType.Integer);
    }

    /// <summary>
    /// Applies <paramref name="batch"/> in one transaction, filling <paramref name="results"/> (or, for a change
    /// that could not be applied or stored, <paramref name="errors"/>) in batch order. Throws when the transaction
    /// fails: then nothing was written.
    /// </summary>
    /// <returns>Null when committed; the id whose compare-and-set missed when nothing was committed.</returns>
    public async ValueTask<string?> TryApplyAsync(IReadOnlyList<PendingApply> batch, TransitionResult?[] results, Exception?[] errors)
    {
        await SqliteDatabase.BeginImmediateAsync(_connection, _busyTimeout, _time, CancellationToken.None);
        try
        {
            var working = new Dictionary<string, WorkingRecord>(StringComparer.Ordinal);
            for (var i = 0; i < batch.Count; i++)
            {
                var change = batch[i];
                try
                {
                    if (!working.TryGetValue(change.TaskId, out var record))
                    {
                        record = Read(change.TaskId);
                        working.Add(change.TaskId, record);
                    }

                    Apply(record, batch, i, results, errors, serialize: false);
                }
                catch (Exception ex) when (!Fatal.IsFatal(ex))
                {
                    // A row that cannot be read fails the changes to it alone; the batch goes on.
                    results[i] = null;
                    errors[i] = ex;
                }
            }

            foreach (var (id, record) in working)
            {
                if (!record.Changed)
                {
                    continue;
                }

                StoredRecord stored;
                try
                {
                    stored = TaskRecordJson.ToStored(record.Current!);
                }
                catch (Exception ex) when (!Fatal.IsFatal(ex))
                {
                    // Some change made the record unstorable: apply this record's changes again, serializing after each,
                    // so only the change that cannot be stored fails, as if it had come alone.
                    stored = Replay(id, record, batch, results, errors);
                }

                if (record.Changed && !Write(id, record, stored))
                {
                    Rollback();
                    return id;
                }

                record.StoredChars = stored.Json.Length + (stored.Args?.Length ?? 0) + (stored.Kwargs?.Length ?? 0) + (stored.Result?.Length ?? 0);
            }

            _commit.ExecuteNonQuery();
            RememberWritten(working);
            return null;
        }
        catch
        {
            Rollback();
            throw;
        }
    }

    // A task's next change usually comes in one of the next batches (RECEIVED, then STARTED and its outcome): its record is
    // kept, so that read needs the row's version only and not the record's JSON. Only while the task is under way (a final
    // record rarely changes again), only small records, and a bounded number: at most about 8 MB.
    private void RememberWritten(Dictionary<string, WorkingRecord> working)
    {
        if (_written.Count + working.Count > MaxWrittenRecords)
        {
            _written.Clear();
        }

        foreach (var (id, record) in working)
        {
            if (!record.Changed)
            {
                continue;
            }

            if (record.Current!.IsFinal || record.StoredChars > MaxWrittenRecordChars)
            {
                _written.Remove(id);
            }
            else
            {
                _written[id] = (record.Current.Version, record.Current);
            }
        }
    }

    public void Dispose()
    {
        foreach (var command in new[] { _commit, _rollback, _select, _insert, _update, _updateState })
        {
            command.Dispose();
        }

        _connection.Dispose();
    }

    private WorkingRecord Read(string taskId)
    {
        var known = _written.TryGetValue(taskId, out var written) ? written.Version : -1;
        _select.Parameters["$id"].Value = taskId;
        _select.Parameters["$known"].Value = known;
        using var reader = _select.ExecuteReader();
        if (!reader.Read())
        {
            return new WorkingRecord(null, null);
        }

        var version = reader.GetInt64(0);
        if (version == known)
        {
            // Under the write lock, and every change moves the version on: the row is still the record this writer wrote.
            return new WorkingRecord(version, written.Record);
        }

        var record = TaskRecordJson.FromStored(reader.GetString(1), NullableString(reader, 2), NullableString(reader, 3), NullableString(reader, 4));
        return new WorkingRecord(version, record);
    }

    // Applies change i to the record as the changes before it left it. With serialize, the result is serialized at once,
    // so a change that makes the record unstorable fails alone and the record stays as it was.
    private static StoredRecord? Apply(WorkingRecord record, IReadOnlyList<PendingApply> batch, int i, TransitionResult?[] results, Exception?[] errors,
        bool serialize)
    {
        StoredRecord? stored = null;
        try
        {
            var result = TaskStateMachine.Apply(record.Current, batch[i].TaskId, batch[i].Transition);
            if (result.WasApplied)
            {
                if (serialize)
                {
                    stored = TaskRecordJson.ToStored(result.Record!);
                }

                record.Current = result.Record;
            }

            results[i] = result;
            errors[i] = null;
        }
        catch (Exception ex) when (!Fatal.IsFatal(ex))
        {
            // A change that cannot be applied or stored (a caller's bug) fails alone; the batch goes on.
            results[i] = null;
            errors[i] = ex;
        }

        return stored;
    }

    // The slow path of a record that cannot be stored: every change to it again, from the record as read.
    private static StoredRecord Replay(string taskId, WorkingRecord record, IReadOnlyList<PendingApply> batch, TransitionResult?[] results, Exception?[] errors)
    {
        record.Current = record.AsRead;
        StoredRecord stored = default;
        for (var i = 0; i < batch.Count; i++)
        {
            if (string.Equals(batch[i].TaskId, taskId, StringComparison.Ordinal))
            {
                stored = Apply(record, batch, i, results, errors, serialize: true) ?? stored;
            }
        }

        return stored;
    }

    // Insert when the record was not there when read, else update where the version is still the one read; an update
    // that leaves the name, worker and creation time as read writes the state's columns only.
    private bool Write(string taskId, WorkingRecord record, StoredRecord stored)
    {
        var current = record.Current!;
        var keysChanged = record.AsRead is not { } read || read.Name != current.Name || read.Worker != current.Worker
            || TaskRecordCursor.After(read).CreatedTicks != TaskRecordCursor.After(current).CreatedTicks;
        var command = record.StoredVersion is null ? _insert : keysChanged ? _update : _updateState;
        var parameters = command.Parameters;
        parameters["$id"].Value = taskId;
        parameters["$state"].Value = current.State.ToWireName();
        if (keysChanged)
        {
            parameters["$name"].Value = (object?)current.Name ?? DBNull.Value;
            parameters["$worker"].Value = (object?)current.Worker ?? DBNull.Value;
            parameters["$created"].Value = TaskRecordCursor.After(current).CreatedTicks;
        }

        parameters["$version"].Value = current.Version;
        parameters["$record"].Value = stored.Json;
        parameters["$args"].Value = (object?)stored.Args ?? DBNull.Value;
        parameters["$kwargs"].Value = (object?)stored.Kwargs ?? DBNull.Value;
        parameters["$result"].Value = (object?)stored.Result ?? DBNull.Value;
        if (record.StoredVersion is { } expected)
        {
            parameters["$expected"].Value = expected;
        }

        try
        {
            return command.ExecuteNonQuery() == 1;
        }
        finally
        {
            // The prepared command outlives the write: it must not keep the record's columns (megabytes with large
            // arguments and results) alive until the next write.
            foreach (SqliteParameter parameter in parameters)
            {
                parameter.Value = DBNull.Value;
            }
        }
    }

    private void Rollback()
    {
        // Nothing of the batch is stored; the records kept are checked against each row's version anyway.
        if (!_connection.IsAutocommit())
        {
            _rollback.ExecuteNonQuery();
        }
    }

    private SqliteCommand Command(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private SqliteCommand RecordCommand(string sql)
    {
        var command = StateCommand(sql);
        command.Parameters.Add("$name", SqliteType.Text);
        command.Parameters.Add("$worker", SqliteType.Text);
        command.Parameters.Add("$created", SqliteType.Integer);
        return command;
    }

    private SqliteCommand StateCommand(string sql)
    {
        var command = Command(sql);
        command.Parameters.Add("$id", SqliteType.Text);
        command.Parameters.Add("$state", SqliteType.Text);
        command.Parameters.Add("$version", SqliteType.Integer);
        command.Parameters.Add("$record", SqliteType.Text);
        command.Parameters.Add("$args", SqliteType.Text);
        command.Parameters.Add("$kwargs", SqliteType.Text);
        command.Parameters.Add("$result", SqliteType.Text);
        return command;
    }

    internal static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>A record as this batch sees it: as stored before the batch (version and record), and as its changes left it.</summary>
    private sealed class WorkingRecord(long? storedVersion, TaskRecord? asRead)
    {
        public long? StoredVersion { get; } = storedVersion;

        public TaskRecord? AsRead { get; } = asRead;

        /// <summary>The record after the batch's changes so far; <see cref="AsRead"/> while none applied.</summary>
        public TaskRecord? Current { get; set; } = asRead;

        /// <summary>True when a change of the batch applied (each applied change makes a new record).</summary>
        public bool Changed => !ReferenceEquals(Current, AsRead);

        /// <summary>The length of the columns written, once written.</summary>
        public int StoredChars { get; set; }
    }
}
