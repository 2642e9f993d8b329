using System.Runtime.CompilerServices;

namespace Celeriac.Core.Tests.Execution;

/// <summary>A task failure with a known type, namespace and stack frame.</summary>
public sealed class BoomException : Exception
{
    public BoomException(string message) : base(message)
    {
    }

    public BoomException()
    {
    }

    public BoomException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

public static class Thrower
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Boom(int x) => throw new BoomException($"boom {x}");
}
