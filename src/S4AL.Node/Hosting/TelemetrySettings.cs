using OpenTelemetry.Exporter;

namespace S4AL.Node.Hosting;

/// <summary>
/// Where a node sends its traces, metrics and logs (OTLP). Export is on when an endpoint is
/// given (--otlp-endpoint) or the standard OTEL_EXPORTER_OTLP_ENDPOINT /
/// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT variables are set, and off otherwise, so a laptop run
/// pays nothing; OTEL_SDK_DISABLED=true turns it off whatever else is set.
/// </summary>
public sealed record TelemetrySettings
{
    /// <summary>The collector's base address (e.g. http://localhost:4317 for gRPC, http://localhost:4318 for HTTP); null: from OTEL_* variables.</summary>
    public Uri? Endpoint { get; init; }
    /// <summary>grpc or http/protobuf; null: OTEL_EXPORTER_OTLP_PROTOCOL, else grpc.</summary>
    public OtlpExportProtocol? Protocol { get; init; }
    /// <summary>service.name of this process's telemetry; OTEL_SERVICE_NAME wins, else "s4al".</summary>
    public string ServiceName { get; init; } = "s4al";

    public static TelemetrySettings Off { get; } = new();

    public bool Enabled(Func<string, string?> environment)
    {
        if (string.Equals(environment("OTEL_SDK_DISABLED"), "true", StringComparison.OrdinalIgnoreCase)) return false;
        return Endpoint is not null
            || !string.IsNullOrWhiteSpace(environment("OTEL_EXPORTER_OTLP_ENDPOINT"))
            || !string.IsNullOrWhiteSpace(environment("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
    }

    /// <summary>The collector's base address: the option, else OTEL_EXPORTER_OTLP_ENDPOINT; null when only signal-specific variables are set.</summary>
    public Uri? EndpointFrom(Func<string, string?> environment) =>
        Endpoint ?? (environment("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 } text && Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : null);

    /// <summary>The option, else OTEL_EXPORTER_OTLP_PROTOCOL, else grpc.</summary>
    public OtlpExportProtocol ProtocolFrom(Func<string, string?> environment) =>
        Protocol ?? (environment("OTEL_EXPORTER_OTLP_PROTOCOL") is { Length: > 0 } text ? ParseProtocol(text) : OtlpExportProtocol.Grpc);

    /// <summary>OTEL_SERVICE_NAME, else <see cref="ServiceName"/>.</summary>
    public string ServiceNameFrom(Func<string, string?> environment) =>
        environment("OTEL_SERVICE_NAME") is { Length: > 0 } named ? named : ServiceName;

    /// <summary>Parses --otlp-protocol (the values of OTEL_EXPORTER_OTLP_PROTOCOL).</summary>
    public static OtlpExportProtocol ParseProtocol(string text) => text.Trim().ToLowerInvariant() switch
    {
        "grpc" => OtlpExportProtocol.Grpc,
        "http/protobuf" or "http" => OtlpExportProtocol.HttpProtobuf,
        _ => throw new ArgumentException($"OTLP protocol '{text}': expected grpc or http/protobuf"),
    };
}
