namespace Celeriac.Functions.TestHost;

/// <summary>What the test host runs and how.</summary>
public sealed class FunctionsTestHostOptions
{
    /// <summary>The built app's folder (its dll, functions.metadata, host.json, worker.config.json).</summary>
    public required string AppDirectory { get; init; }

    /// <summary>The app's entry assembly in <see cref="AppDirectory"/>.</summary>
    public required string AppDll { get; init; }

    /// <summary>App settings: the worker's environment, and what connection settings (RabbitMQConnection) resolve to.</summary>
    public IReadOnlyDictionary<string, string> AppSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>The loopback port HTTP functions are served on; 0 for any free one.</summary>
    public int HttpPort { get; init; }

    /// <summary>
    /// The JSON payload a <c>[DurableClient]</c> binding receives (the real Durable extension's, pointing at its gRPC
    /// endpoint); null when the app runs without Durable.
    /// </summary>
    public Func<string>? DurableClientPayload { get; init; }

    /// <summary>Consume the queues of rabbitMQTrigger functions (the emulated listener).</summary>
    public bool RunRabbitMqListeners { get; init; } = true;

    /// <summary>Receives the host's and the worker's log lines.</summary>
    public Action<string> Log { get; init; } = static _ => { };
}
