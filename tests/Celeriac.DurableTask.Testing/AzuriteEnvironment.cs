namespace Celeriac.DurableTask.Testing;

/// <summary>
/// The Azurite that <c>./test.sh</c> started (infra/azurite.sh): its storage connection string, from
/// <c>CELERIAC_TEST_AZURITE</c>. Without it (a test run from an IDE), Azurite's default ports 10000-10002.
/// </summary>
public static class AzuriteEnvironment
{
    // Azurite's documented development account (devstoreaccount1), the same in every Azurite: not a secret.
    private const string DevelopmentKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>The storage connection string.</summary>
    public static string ConnectionString { get; } =
        Environment.GetEnvironmentVariable("CELERIAC_TEST_AZURITE") is { Length: > 0 } value ? value : ForPorts(10000, 10001, 10002);

    /// <summary>The connection string of an Azurite on these loopback ports.</summary>
    public static string ForPorts(int blob, int queue, int table) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevelopmentKey};" +
        $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";
}
