namespace Celeriac.Core.Execution;

/// <summary>How much of a failed task's .NET stack trace goes into its record and result (<see cref="WorkerOptions.TracebackDetail"/>).</summary>
public enum TracebackDetail
{
    /// <summary>The exception's full text: type, message, every frame with its source file and line.</summary>
    Full,

    /// <summary>Every frame, without the <c>in /path/File.cs:line N</c> part, so records never show the build machine's paths.</summary>
    NoSourcePaths,

    /// <summary>No traceback at all; the record keeps the exception's type and message.</summary>
    None,
}
