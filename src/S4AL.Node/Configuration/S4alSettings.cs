using S4AL.Node.Hosting;

namespace S4AL.Node.Configuration;

/// <summary>
/// Every setting of the `s4al` program that is not an experiment's: bound by
/// <see cref="S4alConfiguration"/> from, in rising precedence, appsettings.json (or the file
/// named by --config), S4AL__-prefixed environment variables and the command line.
/// </summary>
public sealed record S4alSettings
{
    /// <summary>How this process joins a cluster and what it does there (node, submit, status; Hocon and Tls also for run).</summary>
    public NodeSection Node { get; init; } = new();

    /// <summary>How many trainers a node with the trainer role runs.</summary>
    public TrainerSection Trainer { get; init; } = new();

    /// <summary>OTLP export; unset values fall back to the standard OTEL_* variables.</summary>
    public TelemetrySettings Telemetry { get; init; } = TelemetrySettings.Off;

    /// <summary>The annotation page of a node with the annotation role.</summary>
    public AnnotationSection Annotation { get; init; } = new();

    /// <summary>retain (default: freed tensor memory kept for reuse, see S4AL.Learning.NativeHeap) or system (glibc's defaults).</summary>
    public string NativeHeap { get; init; } = "retain";
}
