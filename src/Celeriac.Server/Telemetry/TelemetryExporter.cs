namespace Celeriac.Server.Telemetry;

/// <summary>Where the server sends Celeriac's traces and metrics.</summary>
internal enum TelemetryExporter
{
    /// <summary>Nowhere: OpenTelemetry is not started (the default).</summary>
    None,

    /// <summary>To standard output, as OpenTelemetry's console exporter writes them.</summary>
    Console,

    /// <summary>Over OTLP to a collector (<see cref="TelemetryOptions.OtlpEndpoint"/>, else OTEL_EXPORTER_OTLP_ENDPOINT, else localhost:4317).</summary>
    Otlp,
}
