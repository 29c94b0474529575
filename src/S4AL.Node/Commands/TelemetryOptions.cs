using System.CommandLine;
using S4AL.Node.Configuration;

namespace S4AL.Node.Commands;

/// <summary>
/// --otlp-endpoint and --otlp-protocol (run, node): the settings Telemetry:Endpoint and
/// Telemetry:Protocol. Where none of the three sources sets them, the OpenTelemetry SDK's own
/// OTEL_* variables apply (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL,
/// OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_BSP_SCHEDULE_DELAY, OTEL_METRIC_EXPORT_INTERVAL, ...).
/// </summary>
public sealed class TelemetryOptions
{
    readonly Option<string> _endpoint = new("--otlp-endpoint")
    {
        Description = "Send traces, metrics and logs over OTLP to this collector, e.g. http://localhost:4317 (Jaeger); setting Telemetry:Endpoint, else OTEL_EXPORTER_OTLP_ENDPOINT, else off",
    };
    readonly Option<string> _protocol = new("--otlp-protocol")
    {
        Description = "grpc (port 4317) or http/protobuf (port 4318); setting Telemetry:Protocol, else OTEL_EXPORTER_OTLP_PROTOCOL, else grpc",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(_endpoint);
        command.Options.Add(_protocol);
    }

    /// <summary>Adds the telemetry options the user gave to <paramref name="given"/>.</summary>
    public GivenOptions MapTo(GivenOptions given) => given.Map(_endpoint, "Telemetry:Endpoint").Map(_protocol, "Telemetry:Protocol");
}
