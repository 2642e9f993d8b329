namespace Celeriac.Core.Protocol;

/// <summary>A message that is not a valid Celery message. The message says what is wrong with it.</summary>
public sealed class MessageDecodeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MessageDecodeException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public MessageDecodeException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public MessageDecodeException()
    {
    }
}
