namespace Celeriac.Core;

/// <summary>The one meaning of "this exception must not be caught": loops and pipelines survive everything else.</summary>
public static class Fatal
{
    /// <summary>True for exceptions after which the process cannot go on safely.</summary>
    public static bool IsFatal(Exception exception) =>
        exception is OutOfMemoryException or StackOverflowException or AccessViolationException or InsufficientExecutionStackException;
}
