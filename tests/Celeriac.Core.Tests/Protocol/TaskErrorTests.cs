using Celeriac.Core.Protocol;
using Celeriac.Core.Tests.GoldenWire;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Protocol;

public sealed class TaskErrorTests
{
    [Fact]
    public void FromException_DotNetException_IsItsTypeNameNamespaceAndMessage()
    {
        var error = TaskError.FromException(new InvalidOperationException("nope"));

        Assert.Equal(("InvalidOperationException", "System", "nope"), (error.Type, error.Module, error.Message));
        Assert.Equal("InvalidOperationException('nope')", error.Repr);
    }

    [Fact]
    public void FromException_GenericExceptionType_DropsTheArity()
    {
        Assert.Equal("GenericException", TaskError.FromException(new GenericException<int>()).Type);
    }

    [Fact]
    public void FromException_CeleryException_ChoosesThePythonType()
    {
        var error = TaskError.FromException(new CeleryException("KeyError", "missing", "builtins"));

        Assert.Equal(("KeyError", "builtins", "missing"), (error.Type, error.Module, error.Message));
    }

    [Fact]
    public void WriteThenRead_RoundTrips()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            TaskError.Create("ValueError", "boom 7", null).WriteTo(writer);
        }

        var json = Json(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
        AssertJson.Equal("""{"exc_type": "ValueError", "exc_message": ["boom 7"], "exc_module": null}""", json);
        Assert.Equal(TaskError.Create("ValueError", "boom 7", null).Message, TaskError.Read(json)!.Message);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("""{"exc_message": ["x"]}""")]
    [InlineData("""{"exc_type": 5}""")]
    public void Read_NotAnException_IsNull(string json)
    {
        Assert.Null(TaskError.Read(Json(json)));
    }

    [Fact]
    public void Message_NonArrayArgs_IsTheText()
    {
        Assert.Equal("plain", new TaskError("X", Json("\"plain\""), null).Message);
        Assert.Equal("X('plain')", new TaskError("X", Json("\"plain\""), null).Repr);
    }

    [Fact]
    public void TimeLimitExceeded_IsBilliardsWithTheSeconds()
    {
        var error = TaskError.TimeLimitExceeded(2.5);

        Assert.Equal(("TimeLimitExceeded", "billiard.exceptions", "TimeLimitExceeded(2.5)"), (error.Type, error.Module, error.Repr));
    }

    private sealed class GenericException<T> : Exception;
}
