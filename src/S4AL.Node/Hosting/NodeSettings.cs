using S4AL.Actors.Coordinator;
using S4AL.Actors.Hosting;
using S4AL.Actors.Scorer;
using S4AL.Actors.Trainer;
using S4AL.Node.Configuration;

namespace S4AL.Node.Hosting;

/// <summary>Everything that makes one node: its roles, address, journal, devices and log file.</summary>
public sealed record NodeSettings
{
    /// <summary>
    /// The node as the configuration's Node section describes it: roles, address, seed nodes,
    /// journal (required with the coordinator role), HOCON files and TLS. Its device and threads
    /// reach the node through <see cref="Trainer"/>, <see cref="Scorer"/> and the command.
    /// </summary>
    public NodeSection Node { get; init; } = new();
    public CoordinatorOptions Coordinator { get; init; } = new();
    public TrainerOptions Trainer { get; init; } = new();
    public ScorerOptions Scorer { get; init; } = new();
    /// <summary>Log file; null: no log (a command reports its own errors on standard error, one line each).</summary>
    public string? LogFile { get; init; }
    /// <summary>HOCON text applied last (tests: serialize-messages = on).</summary>
    public string? ExtraHocon { get; init; }
    /// <summary>OTLP export of traces, metrics and logs (off unless configured).</summary>
    public TelemetrySettings Telemetry { get; init; } = TelemetrySettings.Off;

    /// <summary>Where the annotation page listens, on a node with the annotation role.</summary>
    public AnnotationSection Annotation { get; init; } = new();

    /// <summary>What a host embedding s4al changes in the node's services (<see cref="NodeServices"/>); none by default.</summary>
    public NodeServices Services { get; init; } = NodeServices.None;

    public bool Has(string role) => Node.Roles.Contains(role);
}

/// <summary>
/// Changes a host that embeds s4al makes to a node's services, e.g. wrapping the scoring with
/// its own instrumentation (the integration tests slow it down this way to kill a node mid-scoring).
/// </summary>
public sealed record NodeServices
{
    public static NodeServices None { get; } = new();

    /// <summary>Wraps the node's shard scoring (null: as it is).</summary>
    public Func<IShardScoring, IShardScoring>? Scoring { get; init; }
}
