namespace Celeriac.Functions.TestHost;

/// <summary>How responses on the worker's stream are matched to their requests.</summary>
internal static class ResponseKeys
{
    public const string Init = "init";
    public const string Metadata = "metadata";

    public static string Load(string functionId) => "load:" + functionId;

    public static string Invocation(string invocationId) => "invocation:" + invocationId;
}
