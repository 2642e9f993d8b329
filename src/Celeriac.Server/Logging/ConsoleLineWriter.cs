using System.Text;

namespace Celeriac.Server.Logging;

/// <summary>
/// Writes log lines to a stream in batches: the first line into an empty buffer schedules one write on the thread pool
/// at once, and every line that arrives before that write starts goes out with it, instead of one write (and one wake-up
/// of a logging thread) per line. Under load a worker logs two lines a task; the framework's console logger made a system
/// call and a context switch apiece, several percent of the worker's CPU.
/// </summary>
/// <remarks>
/// Order is kept: every line joins one buffer under one lock. Nothing waits for company: a line is written as soon as a
/// thread-pool thread runs the flush, so a crash loses no more than the framework's queue would. An error line is written
/// by the caller itself, with everything before it; <see cref="Dispose"/> writes what is left. A line that cannot be
/// written (a closed stdout) is dropped, never thrown at the caller, as the framework's console logger does.
/// </remarks>
internal sealed class ConsoleLineWriter : IDisposable
{
    // A burst larger than this is written by the caller at once.
    private const int FlushAtChars = 64 * 1024;

    private readonly Stream _output;
    private readonly Action<Action> _schedule;
    private readonly Action _flush;
    private readonly Lock _lock = new();
    private readonly UTF8Encoding _utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private StringBuilder _pending = new();
    private StringBuilder _writing = new();
    private bool _scheduled;
    private bool _disposed;
    // Held while a batch is written: batches reach the stream whole and in order.
    private readonly Lock _writeLock = new();
    private byte[] _bytes = new byte[4096];

    /// <summary>Creates the writer; <paramref name="schedule"/> runs a flush later (the thread pool unless a test says otherwise).</summary>
    public ConsoleLineWriter(Stream output, Action<Action>? schedule = null)
    {
        _output = output;
        _schedule = schedule ?? (static flush => ThreadPool.UnsafeQueueUserWorkItem(static f => f(), flush, preferLocal: false));
        _flush = Flush;
    }

    /// <summary>Queues a line (with its line break); <paramref name="flushNow"/> writes it and everything before it at once.</summary>
    public void Append(string text, bool flushNow)
    {
        bool flush;
        bool schedule;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _pending.Append(text);
            flush = flushNow || _pending.Length >= FlushAtChars;
            if (flush || _scheduled)
            {
                // Written now by this caller, or by the flush already scheduled.
                schedule = false;
            }
            else
            {
                _scheduled = schedule = true;
            }
        }

        if (flush)
        {
            Flush();
        }
        else if (schedule)
        {
            _schedule(_flush);
        }
    }

    /// <summary>Writes every queued line.</summary>
    public void Flush()
    {
        lock (_writeLock)
        {
            lock (_lock)
            {
                _scheduled = false;
                if (_pending.Length == 0)
                {
                    return;
                }

                (_pending, _writing) = (_writing, _pending);
            }

            try
            {
                var length = _utf8.GetMaxByteCount(_writing.Length);
                if (_bytes.Length < length)
                {
                    _bytes = new byte[Math.Max(length, _bytes.Length * 2)];
                }

                var written = 0;
                foreach (var chunk in _writing.GetChunks())
                {
                    written += _utf8.GetBytes(chunk.Span, _bytes.AsSpan(written));
                }

                _output.Write(_bytes, 0, written);
                _output.Flush();
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // Nobody reads stdout any more: there is nowhere to say so.
            }
            finally
            {
                _writing.Clear();
                if (_writing.Capacity > FlushAtChars * 4)
                {
                    // One huge burst (a long traceback storm) does not pin its buffer for the life of the process.
                    _writing = new StringBuilder();
                    _bytes = new byte[4096];
                }
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        Flush();
    }
}
