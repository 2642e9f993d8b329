using System.CommandLine;
using Celeriac.Core.Diagnostics;
using Celeriac.Server.Commands;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Celeriac.Server.Telemetry;

/// <summary>
/// Wires the "Celeriac" activity source and meter into OpenTelemetry (<c>OpenTelemetry.Extensions.Hosting</c>) with the
/// chosen exporter. Off by default: with no exporter nothing listens, so the spans are never created.
/// </summary>
internal static class TelemetrySetup
{
    public static Option<TelemetryExporter?> Exporter { get; } = new("--otel-exporter")
    {
        Description = "Export Celeriac's traces and metrics through OpenTelemetry: none (default), console or otlp (OTEL_EXPORTER_OTLP_ENDPOINT or Celeriac:Telemetry:OtlpEndpoint).",
    };

    /// <summary>Adds OpenTelemetry when an exporter is chosen (flag, else <c>Celeriac:Telemetry</c>); returns the exporter.</summary>
    public static TelemetryExporter Add(IServiceCollection services, ParseResult parse, string serviceName)
    {
        var options = new TelemetryOptions();
        CliConfiguration.Build(parse).GetSection(TelemetryOptions.Section).Bind(options);
        if (parse.GetValue(Exporter) is { } given)
        {
            options.Exporter = given;
        }

        if (options.Exporter == TelemetryExporter.None)
        {
            return options.Exporter;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName, serviceVersion: Celeriac.Core.Events.WorkerHeartbeat.SoftwareVersion))
            .WithTracing(t =>
            {
                // The HTTP request is the parent of the API's send span; ASP.NET Core starts an activity for each request
                // anyway, and a span under a parent that is not recorded would be dropped by the parent-based sampler.
                t.AddSource(TaskTelemetry.Name).AddAspNetCoreInstrumentation();
                if (options.Exporter == TelemetryExporter.Console)
                {
                    t.AddConsoleExporter();
                }
                else
                {
                    t.AddOtlpExporter(o => SetEndpoint(o, options));
                }
            })
            .WithMetrics(m =>
            {
                m.AddMeter(TaskTelemetry.Name);
                if (options.Exporter == TelemetryExporter.Console)
                {
                    m.AddConsoleExporter();
                }
                else
                {
                    m.AddOtlpExporter(o => SetEndpoint(o, options));
                }
            });
        return options.Exporter;
    }

    private static void SetEndpoint(OpenTelemetry.Exporter.OtlpExporterOptions exporter, TelemetryOptions options)
    {
        if (options.OtlpEndpoint is { } endpoint)
        {
            exporter.Endpoint = endpoint;
        }
    }
}
