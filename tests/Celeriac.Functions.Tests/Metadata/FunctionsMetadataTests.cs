using System.Text.Json.Nodes;
using Celeriac.Testing;

namespace Celeriac.Functions.Tests.Metadata;

/// <summary>
/// The functions.metadata the Functions SDK generated for the app: what the real host reads to wire triggers and
/// bindings. Asserted binding by binding, so a changed route, method, auth level, queue, connection setting or
/// data type (or a stand-in attribute drifting from the real one) fails here.
/// </summary>
public sealed class FunctionsMetadataTests
{
    private static readonly JsonArray s_metadata = (JsonArray)JsonNode.Parse(File.ReadAllText(Path.Combine(FunctionsApp.Directory, "functions.metadata")))!;

    public static TheoryData<string, string> ExpectedBindings => new()
    {
        { "EnqueueTask", """[{"name":"request","direction":"In","type":"httpTrigger","authLevel":"Function","methods":["post"],"route":"api/tasks/{name}","properties":{}},{"name":"client","direction":"In","type":"durableClient","properties":{}},{"name":"$return","type":"http","direction":"Out"}]""" },
        { "GetTask", """[{"name":"request","direction":"In","type":"httpTrigger","authLevel":"Function","methods":["get"],"route":"api/tasks/{id}","properties":{}},{"name":"client","direction":"In","type":"durableClient","properties":{}},{"name":"$return","type":"http","direction":"Out"}]""" },
        { "RevokeTask", """[{"name":"request","direction":"In","type":"httpTrigger","authLevel":"Function","methods":["post"],"route":"api/tasks/{id}/revoke","properties":{}},{"name":"client","direction":"In","type":"durableClient","properties":{}},{"name":"$return","type":"http","direction":"Out"}]""" },
        { "ListTasks", """[{"name":"request","direction":"In","type":"httpTrigger","authLevel":"Function","methods":["get"],"route":"api/tasks","properties":{}},{"name":"client","direction":"In","type":"durableClient","properties":{}},{"name":"$return","type":"http","direction":"Out"}]""" },
        { "ExecuteTask", """[{"name":"body","direction":"In","type":"rabbitMQTrigger","dataType":"Binary","queueName":"celery","connectionStringSetting":"RabbitMQConnection","properties":{}},{"name":"client","direction":"In","type":"durableClient","properties":{}}]""" },
        { "OpenApiDocument", """[{"name":"request","direction":"In","type":"httpTrigger","authLevel":"Anonymous","methods":["get"],"route":"openapi/v1.json","properties":{}},{"name":"$return","type":"http","direction":"Out"}]""" },
        { "TaskRecord", """[{"name":"dispatcher","direction":"In","type":"entityTrigger","properties":{}}]""" },
        { "Dashboard", """[{"name":"request","direction":"In","type":"httpTrigger","authLevel":"Anonymous","methods":["get","post"],"route":"dashboard/{*path}","properties":{}},{"name":"client","direction":"In","type":"durableClient","properties":{}},{"name":"$return","type":"http","direction":"Out"}]""" },
        { "DashboardWorker", """[{"name":"dispatcher","direction":"In","type":"entityTrigger","properties":{}}]""" },
        { "Metrics", """[{"name":"request","direction":"In","type":"httpTrigger","authLevel":"Anonymous","methods":["get"],"route":"metrics","properties":{}},{"name":"client","direction":"In","type":"durableClient","properties":{}},{"name":"$return","type":"http","direction":"Out"}]""" },
    };

    [Fact]
    public void Metadata_Functions_AreExactlyTheAppsFunctions()
    {
        var names = s_metadata.Select(f => (string)f!["name"]!).Order(StringComparer.Ordinal).ToArray();
        var expected = ExpectedBindings.Select(row => (string)row[0]).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, names);
    }

    [Theory]
    [MemberData(nameof(ExpectedBindings))]
    public void Metadata_Function_HasExactlyTheExpectedBindings(string function, string bindings)
    {
        var entry = s_metadata.Single(f => (string)f!["name"]! == function)!;
        Assert.Equal("dotnet-isolated", (string)entry["language"]!);
        Assert.Equal("Celeriac.Functions.dll", (string)entry["scriptFile"]!);
        var actual = entry["bindings"]!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(bindings), actual), $"{function}: expected bindings {bindings}, got {actual.ToJsonString()}");
    }

    [Fact]
    public void Metadata_RabbitMQTrigger_ReadsOnlyWhatTheHostExtensionHonours()
    {
        // The host-side extension 2.x maps only queueName, connectionStringSetting and disableCertificateValidation;
        // the version 1 leftovers (hostName, port, credentials settings) must not appear.
        var trigger = s_metadata.SelectMany(f => f!["bindings"]!.AsArray()).Single(b => (string)b!["type"]! == "rabbitMQTrigger")!.AsObject();
        Assert.Empty(trigger.Select(p => p.Key).Except(["name", "direction", "type", "dataType", "queueName", "connectionStringSetting", "properties"]));
    }

    [Fact]
    public void Extensions_HostSideExtensions_AreDurableAndRabbitMQOnlyWithTheRealPackage()
    {
        // What the Functions host loads for this app: the Durable extension always; the RabbitMQ listener only when the
        // real worker package (whose ExtensionInformation names it) was built in, never from the stand-in.
        var extensions = JsonNode.Parse(File.ReadAllText(Path.Combine(FunctionsApp.Directory, "extensions.json")))!["extensions"]!.AsArray()
            .Select(e => $"{(string)e!["name"]!} ({(string?)e["typeName"]})").ToArray();
        Assert.Contains(extensions, e => e.StartsWith("DurableTask ", StringComparison.Ordinal));
        var real = Environment.GetEnvironmentVariable("CELERIAC_TEST_RABBITMQ_TRIGGER") == "Real";
        Assert.True(real == extensions.Any(e => e.Contains("RabbitMQ", StringComparison.OrdinalIgnoreCase)), $"RabbitMQ trigger {(real ? "Real" : "StandIn")}, host extensions: {string.Join(", ", extensions)}");
    }
}
