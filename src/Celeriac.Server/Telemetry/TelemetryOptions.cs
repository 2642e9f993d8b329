namespace Celeriac.Server.Telemetry;

/// <summary>The celeriac server's OpenTelemetry settings (<c>Celeriac:Telemetry</c>).</summary>
internal sealed class TelemetryOptions
{
    /// <summary>The configuration section, under <c>Celeriac</c>.</summary>
    public const string Section = "Telemetry";

    /// <summary>Where traces and metrics go; <see cref="TelemetryExporter.None"/> (the default) starts no OpenTelemetry at all.</summary>
    public TelemetryExporter Exporter { get; set; } = TelemetryExporter.None;

    /// <summary>The collector for <see cref="TelemetryExporter.Otlp"/>, e.g. <c>http://localhost:4317</c>; unset, OpenTelemetry's own default applies.</summary>
    public Uri? OtlpEndpoint { get; set; }
}
