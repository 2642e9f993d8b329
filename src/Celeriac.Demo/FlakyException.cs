namespace Celeriac.Demo;

/// <summary>The transient failure <c>tasks.flaky</c> throws, and retries automatically on.</summary>
public sealed class FlakyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FlakyException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public FlakyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public FlakyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
