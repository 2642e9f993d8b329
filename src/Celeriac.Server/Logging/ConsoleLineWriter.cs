using System.Text;

namespace Celeriac.Server.Logging;

/// <summary>
/// Writes log lines to a stream in batches: lines that arrive within <see cref="Linger"/> of each other go out in one
/// write, from a timer, instead of one write (and one thread wake-up) per line. Under load a worker logs two lines a task;
/// writing each alone cost a system call and a context switch apiece, a few percent of the worker's CPU.
/// </summary>
/// <remarks>
/// Order is kept: every line joins one buffer under one lock. An error line flushes at once, with everything before it,
/// so the last words before a crash are on the terminal; <see cref="Dispose"/> flushes what is left. A line that cannot be
/// written (a closed stdout) is dropped, never thrown at the caller, as the console logger of the framework does.
/// </remarks>
internal sealed class ConsoleLineWriter : IDisposable
{
    /// <summary>How long a line may wait for others to share its write.</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(10);

    // A burst larger than this is written at once rather than held until the timer fires.
    private const int FlushAtChars = 64 * 1024;

    private readonly Stream _output;
    private readonly Lock _lock = new();
    private readonly ITimer _timer;
    private readonly UTF8Encoding _utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private StringBuilder _pending = new();
    private StringBuilder _writing = new();
    private bool _scheduled;
    private bool _disposed;
    // Held while a batch is written: batches reach the stream whole and in order.
    private readonly Lock _writeLock = new();
    private byte[] _bytes = new byte[4096];

    public ConsoleLineWriter(Stream output, TimeProvider time)
    {
        _output = output;
        _timer = time.CreateTimer(static s => ((ConsoleLineWriter)s!).Flush(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Queues a line (with its line break); <paramref name="flushNow"/> writes it and everything before it at once.</summary>
    public void Append(string text, bool flushNow)
    {
        bool flush;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _pending.Append(text);
            flush = flushNow || _pending.Length >= FlushAtChars;
            if (!flush && !_scheduled)
            {
                _scheduled = true;
                _timer.Change(Linger, Timeout.InfiniteTimeSpan);
            }
        }

        if (flush)
        {
            Flush();
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

        _timer.Dispose();
        Flush();
    }
}
