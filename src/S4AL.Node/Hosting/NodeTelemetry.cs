using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using S4AL.Actors.Telemetry;

namespace S4AL.Node.Hosting;

/// <summary>
/// The node's OpenTelemetry: S4AL's ActivitySource and Meter, and the host's log lines, exported over
/// OTLP (one call for the three signals; the SDK adds /v1/traces etc. to the base address for
/// http/protobuf). Akka's internal traffic is not traced: only S4AL's own spans are, so a trace
/// shows the cycle's work rather than heartbeats and gossip.
/// </summary>
public static class NodeTelemetry
{
    public static void Add(IHostApplicationBuilder builder, NodeSettings settings, Func<string, string?> environment)
    {
        var telemetry = settings.Telemetry;
        var serviceName = telemetry.ServiceNameFrom(environment);
        var instance = settings.Node.Port > 0 ? $"{settings.Node.Host}:{settings.Node.Port}" : $"{Environment.MachineName}/{Environment.ProcessId}";
        var otel = builder.AddOpenTelemetry()
            .ConfigureResource(r => r
                .AddService(serviceName, serviceVersion: typeof(NodeTelemetry).Assembly.GetName().Version?.ToString(3), serviceInstanceId: instance)
                .AddAttributes([new("s4al.node.roles", string.Join(",", settings.Node.Roles)), new("host.name", Environment.MachineName)]))
            .WithTracing(t => t.AddSource(S4alTelemetry.Name))
            .WithMetrics(m => m.AddMeter(S4alTelemetry.Name))
            .WithLogging(configureBuilder: null, configureOptions: o => o.IncludeFormattedMessage = true);
        if (telemetry.EndpointFrom(environment) is { } endpoint) otel.UseOtlpExporter(telemetry.ProtocolFrom(environment), endpoint);
        else otel.UseOtlpExporter(); // only signal-specific OTEL_EXPORTER_OTLP_*_ENDPOINT variables are set
    }
}
