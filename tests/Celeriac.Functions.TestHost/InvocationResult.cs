namespace Celeriac.Functions.TestHost;

/// <summary>How an invocation ended, as the worker reported it.</summary>
/// <param name="Succeeded">True when the function returned.</param>
/// <param name="Error">The exception's message when it threw.</param>
/// <param name="ReturnValue">The <c>$return</c> value as text (string or JSON typed data), if any.</param>
public sealed record InvocationResult(bool Succeeded, string? Error, string? ReturnValue);
