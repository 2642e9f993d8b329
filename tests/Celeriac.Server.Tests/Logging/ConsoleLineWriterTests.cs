using System.Text;
using Celeriac.Server.Logging;
using Microsoft.Extensions.Logging;

namespace Celeriac.Server.Tests.Logging;

public sealed class ConsoleLineWriterTests
{
    [Fact]
    public void Append_LinesBeforeTheScheduledFlushRuns_GoOutTogetherInOneWrite()
    {
        var flushes = new ManualScheduler();
        var output = new CountingStream();
        using var writer = new ConsoleLineWriter(output, flushes.Schedule);

        writer.Append("one\n", flushNow: false);
        writer.Append("two\n", flushNow: false);
        Assert.Equal("", output.Text);
        Assert.Equal(1, flushes.Count);

        flushes.RunAll();

        Assert.Equal("one\ntwo\n", output.Text);
        Assert.Equal(1, output.Writes);
    }

    [Fact]
    public void Append_AfterAFlush_SchedulesTheNextOne()
    {
        var flushes = new ManualScheduler();
        var output = new CountingStream();
        using var writer = new ConsoleLineWriter(output, flushes.Schedule);
        writer.Append("one\n", flushNow: false);
        flushes.RunAll();

        writer.Append("two\n", flushNow: false);
        flushes.RunAll();

        Assert.Equal("one\ntwo\n", output.Text);
        Assert.Equal(2, output.Writes);
    }

    [Fact]
    public void Append_FlushNow_WritesItAndEverythingBeforeItAtOnceInOrder()
    {
        var flushes = new ManualScheduler();
        var output = new CountingStream();
        using var writer = new ConsoleLineWriter(output, flushes.Schedule);

        writer.Append("queued\n", flushNow: false);
        writer.Append("error\n", flushNow: true);

        Assert.Equal("queued\nerror\n", output.Text);
        flushes.RunAll();
        Assert.Equal(1, output.Writes);
    }

    [Fact]
    public void Dispose_LinesStillQueued_AreWrittenAndLaterLinesDropped()
    {
        var flushes = new ManualScheduler();
        var output = new CountingStream();
        var writer = new ConsoleLineWriter(output, flushes.Schedule);
        writer.Append("last words\n", flushNow: false);

        writer.Dispose();
        writer.Append("after\n", flushNow: true);

        Assert.Equal("last words\n", output.Text);
    }

    [Fact]
    public void Flush_StreamClosed_DropsTheLinesWithoutThrowing()
    {
        var output = new CountingStream();
        using var writer = new ConsoleLineWriter(output, new ManualScheduler().Schedule);
        output.Dispose();

        writer.Append("nobody reads this\n", flushNow: true);

        Assert.Equal(0, output.Writes);
    }

    [Fact]
    public void Append_NonAscii_WritesUtf8()
    {
        var output = new CountingStream();
        using var writer = new ConsoleLineWriter(output, new ManualScheduler().Schedule);

        writer.Append("Task tâche[é] received\n", flushNow: true);

        Assert.Equal("Task tâche[é] received\n", output.Text);
    }

    [Fact]
    public async Task Append_OnTheThreadPool_EveryLineIsWrittenInOrder()
    {
        var output = new CountingStream();
        using var writer = new ConsoleLineWriter(output);

        for (var i = 0; i < 1000; i++)
        {
            writer.Append($"{i}\n", flushNow: false);
        }

        var expected = string.Concat(Enumerable.Range(0, 1000).Select(i => $"{i}\n"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (output.Text != expected)
        {
            await Task.Yield();
            timeout.Token.ThrowIfCancellationRequested();
        }
    }

    [Fact]
    public void CreateLogger_InformationAndError_CeleryFormatInOrderWithTheErrorWritingBoth()
    {
        var output = new CountingStream();
        using var provider = new CeleryConsoleLoggerProvider(output, new ManualScheduler().Schedule);
        var logger = provider.CreateLogger("Celeriac.Core.Execution.TaskProcessor");

        logger.LogInformation("Task tasks.add[1] received");
        logger.LogError(new InvalidOperationException("boom"), "Task tasks.add[1] raised");

        var lines = output.Text.Split('\n');
        Assert.Matches(@"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}: INFO/TaskProcessor\] Task tasks.add\[1\] received$", lines[0]);
        Assert.Matches(@"^\[.*: ERROR/TaskProcessor\] Task tasks.add\[1\] raised$", lines[1]);
        Assert.StartsWith("System.InvalidOperationException: boom", lines[2]);
        Assert.Equal(1, output.Writes);
    }

    /// <summary>Keeps the flushes a writer schedules until the test runs them.</summary>
    private sealed class ManualScheduler
    {
        private readonly List<Action> _scheduled = [];

        public int Count => _scheduled.Count;

        public void Schedule(Action flush) => _scheduled.Add(flush);

        public void RunAll()
        {
            var now = _scheduled.ToArray();
            _scheduled.Clear();
            foreach (var flush in now)
            {
                flush();
            }
        }
    }

    /// <summary>A memory stream that counts its writes and can be closed like a stdout nobody reads.</summary>
    private sealed class CountingStream : MemoryStream
    {
        private readonly Lock _lock = new();

        public int Writes { get; private set; }

        public string Text
        {
            get
            {
                lock (_lock)
                {
                    return Encoding.UTF8.GetString(ToArray());
                }
            }
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (_lock)
            {
                base.Write(buffer, offset, count);
                Writes++;
            }
        }
    }
}
