using System.CommandLine;
using S4AL.Node.Hosting;

namespace S4AL.Node.Commands;

/// <summary>
/// --otlp-endpoint and --otlp-protocol (run, node). Without them the OpenTelemetry SDK's own
/// OTEL_* variables apply (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL,
/// OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_BSP_SCHEDULE_DELAY, OTEL_METRIC_EXPORT_INTERVAL, ...).
/// </summary>
public sealed class TelemetryOptions
{
    readonly Option<string?> _endpoint = new("--otlp-endpoint")
    {
        Description = "Send traces, metrics and logs over OTLP to this collector, e.g. http://localhost:4317 (Jaeger); default: OTEL_EXPORTER_OTLP_ENDPOINT, else off",
    };
    readonly Option<string?> _protocol = new("--otlp-protocol")
    {
        Description = "grpc (port 4317) or http/protobuf (port 4318); default: OTEL_EXPORTER_OTLP_PROTOCOL, else grpc",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(_endpoint);
        command.Options.Add(_protocol);
    }

    public TelemetrySettings Read(ParseResult parse, string serviceName)
    {
        Uri? endpoint = null;
        if (parse.GetValue(_endpoint) is { Length: > 0 } text)
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
                throw new UsageException($"--otlp-endpoint {text}: expected an http:// or https:// address, e.g. http://localhost:4317");
        }
        var protocol = parse.GetValue(_protocol);
        try
        {
            return new TelemetrySettings
            {
                Endpoint = endpoint,
                Protocol = string.IsNullOrWhiteSpace(protocol) ? null : TelemetrySettings.ParseProtocol(protocol),
                ServiceName = serviceName,
            };
        }
        catch (ArgumentException e) { throw new UsageException($"--otlp-protocol {protocol}: {e.Message}"); }
    }
}
