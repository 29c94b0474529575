using System.CommandLine;
using S4AL.Node.Configuration;

namespace S4AL.Node.Commands;

/// <summary>
/// Command-line options that each set one setting of the configuration (the file and S4AL__
/// variables set the same keys; an option given on the command line wins). Shared by the commands
/// that start a node.
/// </summary>
public sealed class SettingOptions
{
    readonly (Option<string> Option, string Setting)[] _options;

    SettingOptions(params (string Name, string Setting, string Description)[] options) =>
        _options = options.Select(o => (new Option<string>(o.Name) { Description = $"{o.Description}; setting {o.Setting}" }, o.Setting)).ToArray();

    /// <summary>
    /// --otlp-endpoint and --otlp-protocol (run, node, sweep): Telemetry:Endpoint and Telemetry:Protocol.
    /// Where none of the three sources sets them, the OpenTelemetry SDK's own OTEL_* variables apply
    /// (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_SERVICE_NAME,
    /// OTEL_RESOURCE_ATTRIBUTES, OTEL_BSP_SCHEDULE_DELAY, OTEL_METRIC_EXPORT_INTERVAL, ...).
    /// </summary>
    public static SettingOptions Telemetry() => new(
        ("--otlp-endpoint", "Telemetry:Endpoint", "Send traces, metrics and logs over OTLP to this collector, e.g. http://localhost:4317 (Jaeger), else OTEL_EXPORTER_OTLP_ENDPOINT, else off"),
        ("--otlp-protocol", "Telemetry:Protocol", "grpc (port 4317) or http/protobuf (port 4318), else OTEL_EXPORTER_OTLP_PROTOCOL, else grpc"));

    /// <summary>--annotate-url and --annotate-token (run, node): Annotation:Url and Annotation:Token of the annotation page.</summary>
    public static SettingOptions Annotation() => new(
        ("--annotate-url", "Annotation:Url", "Where the annotation page listens (role annotation; on in `s4al run --annotator human`): http://HOST:PORT, default http://127.0.0.1:5080 (this machine only)"),
        ("--annotate-token", "Annotation:Token", "Access token of the annotation page (16+ characters); required by every request when given; on an address other than loopback one is generated and printed if none is given"));

    public void AddTo(Command command)
    {
        foreach (var (option, _) in _options) command.Options.Add(option);
    }

    /// <summary>Adds the options of this group the user gave to <paramref name="given"/>.</summary>
    public GivenOptions MapTo(GivenOptions given) => _options.Aggregate(given, (g, o) => g.Map(o.Option, o.Setting));
}
