using System.Text.Json;

namespace Celeriac.Core.Protocol;

/// <summary>
/// An exception as Celery serialises it: <c>exc_type</c>, <c>exc_message</c> (the exception's args) and
/// <c>exc_module</c>. A Python client rebuilds the exception from these: a class it has imported, or a
/// class of that name it synthesises, so <c>get()</c> raises an exception whose type name is
/// <see cref="Type"/>.
/// </summary>
/// <param name="Type">The exception type's name, e.g. <c>InvalidOperationException</c> or <c>TaskRevokedError</c>.</param>
/// <param name="Args">The exception's arguments, a JSON array; usually one message string.</param>
/// <param name="Module">The module (Python) or namespace (.NET) the type lives in.</param>
public sealed record TaskError(string Type, JsonElement Args, string? Module)
{
    /// <summary>The first argument as text: the exception message.</summary>
    public string Message => Args.ValueKind == JsonValueKind.Array && Args.GetArrayLength() > 0
        ? Args[0].ValueKind == JsonValueKind.String ? Args[0].GetString()! : Args[0].GetRawText()
        : Args.ValueKind == JsonValueKind.String ? Args.GetString()! : "";

    /// <summary>Python's repr of the exception, e.g. <c>ValueError('boom 7')</c>, as events and logs show it.</summary>
    public string Repr => PythonRepr.FormatException(Type, Args.ValueKind == JsonValueKind.Array ? Args : CeleryJson.ToElement(new[] { Args }));

    /// <summary>Creates an error with a single message argument.</summary>
    public static TaskError Create(string type, string message, string? module) =>
        new(type, CeleryJson.ToElement(new[] { message }), module);

    /// <summary>
    /// Maps a .NET exception: the type's name and namespace, and its message as the only argument.
    /// An exception that implements <see cref="ICeleryException"/> chooses its own Python type.
    /// </summary>
    public static TaskError FromException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is ICeleryException celery)
        {
            return celery.ToTaskError();
        }

        var type = exception.GetType();
        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick > 0)
        {
            name = name[..tick];
        }

        return Create(name, exception.Message, type.Namespace);
    }

    /// <summary>The task was revoked (<c>celery.exceptions.TaskRevokedError</c>); the reason is revoked, terminated or expired.</summary>
    public static TaskError Revoked(string reason) => Create("TaskRevokedError", reason, "celery.exceptions");

    /// <summary>No task of this name is registered (<c>celery.exceptions.NotRegistered</c>).</summary>
    public static TaskError NotRegistered(string taskName) => Create("NotRegistered", taskName, "celery.exceptions");

    /// <summary>The arguments do not fit the task's parameters (Python's <c>TypeError</c>).</summary>
    public static TaskError TypeError(string message) => Create("TypeError", message, "builtins");

    /// <summary>The hard time limit was exceeded (<c>billiard.exceptions.TimeLimitExceeded</c>).</summary>
    public static TaskError TimeLimitExceeded(double seconds) =>
        new("TimeLimitExceeded", CeleryJson.ToElement(new[] { seconds }), "billiard.exceptions");

    /// <summary>The soft time limit was exceeded and the task did not recover (<c>billiard.exceptions.SoftTimeLimitExceeded</c>).</summary>
    public static TaskError SoftTimeLimitExceeded(double seconds) =>
        new("SoftTimeLimitExceeded", CeleryJson.ToElement(new[] { seconds }), "billiard.exceptions");

    /// <summary>Writes the <c>{"exc_type", "exc_message", "exc_module"}</c> object.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("exc_type", Type);
        writer.WritePropertyName("exc_message");
        CeleryJson.WriteValue(writer, Args);
        if (Module is null)
        {
            writer.WriteNull("exc_module");
        }
        else
        {
            writer.WriteString("exc_module", Module);
        }

        writer.WriteEndObject();
    }

    /// <summary>Reads the <c>{"exc_type", "exc_message", "exc_module"}</c> object; null if it is not one.</summary>
    public static TaskError? Read(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("exc_type", out var type) || type.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var args = element.TryGetProperty("exc_message", out var message) ? message.Clone() : CeleryJson.EmptyArray;
        var module = element.TryGetProperty("exc_module", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        return new TaskError(type.GetString()!, args, module);
    }
}

/// <summary>
/// Implemented by exceptions that choose how Celery clients see them, e.g. as Python's <c>ValueError</c>
/// from module <c>builtins</c>, which Python raises as the real built-in type.
/// </summary>
public interface ICeleryException
{
    /// <summary>The serialised form.</summary>
    TaskError ToTaskError();
}

/// <summary>
/// An exception that Celery clients see as the given Python type:
/// <c>throw new CeleryException("ValueError", "bad input")</c> makes Python's <c>get()</c> raise <c>ValueError('bad input')</c>.
/// </summary>
public class CeleryException : Exception, ICeleryException
{
    /// <summary>Creates the exception.</summary>
    public CeleryException(string pythonType, string message, string pythonModule = "builtins") : base(message)
    {
        PythonType = pythonType;
        PythonModule = pythonModule;
    }

    /// <summary>Creates an exception Python sees as <c>Exception</c>.</summary>
    public CeleryException() : this("Exception", "")
    {
    }

    /// <summary>Creates an exception Python sees as <c>Exception</c>.</summary>
    public CeleryException(string message) : this("Exception", message)
    {
    }

    /// <summary>Creates an exception Python sees as <c>Exception</c>.</summary>
    public CeleryException(string message, Exception innerException) : base(message, innerException)
    {
        PythonType = "Exception";
        PythonModule = "builtins";
    }

    /// <summary>The Python exception type's name.</summary>
    public string PythonType { get; }

    /// <summary>The Python module that defines it.</summary>
    public string PythonModule { get; }

    /// <inheritdoc />
    public TaskError ToTaskError() => TaskError.Create(PythonType, Message, PythonModule);
}
