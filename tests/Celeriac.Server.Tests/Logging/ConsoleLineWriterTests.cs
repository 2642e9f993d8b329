using System.Text;
using Celeriac.Server.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Celeriac.Server.Tests.Logging;

public sealed class ConsoleLineWriterTests
{
    [Fact]
    public void Append_LinesWithinTheLinger_GoOutTogetherInOneWriteWhenTheTimerFires()
    {
        var time = new FakeTimeProvider();
        var output = new CountingStream();
        using var writer = new ConsoleLineWriter(output, time);

        writer.Append("one\n", flushNow: false);
        writer.Append("two\n", flushNow: false);
        Assert.Equal("", output.Text);

        time.Advance(ConsoleLineWriter.Linger);

        Assert.Equal("one\ntwo\n", output.Text);
        Assert.Equal(1, output.Writes);
    }

    [Fact]
    public void Append_FlushNow_WritesItAndEverythingBeforeItAtOnceInOrder()
    {
        var time = new FakeTimeProvider();
        var output = new CountingStream();
        using var writer = new ConsoleLineWriter(output, time);

        writer.Append("queued\n", flushNow: false);
        writer.Append("error\n", flushNow: true);

        Assert.Equal("queued\nerror\n", output.Text);
        time.Advance(ConsoleLineWriter.Linger);
        Assert.Equal(1, output.Writes);
    }

    [Fact]
    public void Dispose_LinesStillQueued_AreWrittenAndLaterLinesDropped()
    {
        var time = new FakeTimeProvider();
        var output = new CountingStream();
        var writer = new ConsoleLineWriter(output, time);
        writer.Append("last words\n", flushNow: false);

        writer.Dispose();
        writer.Append("after\n", flushNow: true);

        Assert.Equal("last words\n", output.Text);
    }

    [Fact]
    public void Flush_StreamClosed_DropsTheLinesWithoutThrowing()
    {
        var time = new FakeTimeProvider();
        var output = new CountingStream();
        using var writer = new ConsoleLineWriter(output, time);
        output.Dispose();

        writer.Append("nobody reads this\n", flushNow: true);

        Assert.Equal(0, output.Writes);
    }

    [Fact]
    public void Append_NonAscii_WritesUtf8()
    {
        var time = new FakeTimeProvider();
        var output = new CountingStream();
        using var writer = new ConsoleLineWriter(output, time);

        writer.Append("Task tâche[é] received\n", flushNow: true);

        Assert.Equal("Task tâche[é] received\n", output.Text);
    }

    [Fact]
    public void CreateLogger_InformationAndError_CeleryFormatInOrderWithTheErrorFlushingBoth()
    {
        var time = new FakeTimeProvider();
        var output = new CountingStream();
        using var provider = new CeleryConsoleLoggerProvider(output, time);
        var logger = provider.CreateLogger("Celeriac.Core.Execution.TaskProcessor");

        logger.LogInformation("Task tasks.add[1] received");
        logger.LogError(new InvalidOperationException("boom"), "Task tasks.add[1] raised");

        var lines = output.Text.Split('\n');
        Assert.Matches(@"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}: INFO/TaskProcessor\] Task tasks.add\[1\] received$", lines[0]);
        Assert.Matches(@"^\[.*: ERROR/TaskProcessor\] Task tasks.add\[1\] raised$", lines[1]);
        Assert.StartsWith("System.InvalidOperationException: boom", lines[2]);
        Assert.Equal(1, output.Writes);
    }

    /// <summary>A memory stream that counts its writes and can be closed like a stdout nobody reads.</summary>
    private sealed class CountingStream : MemoryStream
    {
        public int Writes { get; private set; }

        public string Text => Encoding.UTF8.GetString(ToArray());

        public override void Write(byte[] buffer, int offset, int count)
        {
            base.Write(buffer, offset, count);
            Writes++;
        }
    }
}
