using S4AL.Actors.Coordinator;
using S4AL.Actors.Hosting;
using S4AL.Actors.Scorer;
using S4AL.Actors.Trainer;
using S4AL.Node.Configuration;

namespace S4AL.Node.Hosting;

/// <summary>Everything that makes one node: its roles, address, journal, devices and log file.</summary>
public sealed record NodeSettings
{
    public IReadOnlyList<string> Roles { get; init; } = NodeRoles.All;
    public string Host { get; init; } = "127.0.0.1";
    /// <summary>0: any free port (a one-node cluster joins itself).</summary>
    public int Port { get; init; }
    /// <summary>Akka addresses (akka.tcp://s4al@host:port) of the seed nodes; empty: the node forms a cluster of its own.</summary>
    public IReadOnlyList<string> SeedNodes { get; init; } = [];
    /// <summary>The journal; required on a node with the coordinator role, unused elsewhere.</summary>
    public PersistenceOptions? Persistence { get; init; }
    public CoordinatorOptions Coordinator { get; init; } = new();
    public TrainerOptions Trainer { get; init; } = new();
    public ScorerOptions Scorer { get; init; } = new();
    /// <summary>Log file; null: no log (a command reports its own errors on standard error, one line each).</summary>
    public string? LogFile { get; init; }
    /// <summary>HOCON files (e.g. cluster-config/base.hocon) applied over everything else.</summary>
    public IReadOnlyList<string> HoconFiles { get; init; } = [];
    /// <summary>TLS between nodes, or null for plain TCP.</summary>
    public TlsSettings? Tls { get; init; }
    /// <summary>HOCON text applied last (tests: serialize-messages = on).</summary>
    public string? ExtraHocon { get; init; }
    /// <summary>OTLP export of traces, metrics and logs (off unless configured).</summary>
    public TelemetrySettings Telemetry { get; init; } = TelemetrySettings.Off;

    /// <summary>What a host embedding s4al changes in the node's services (<see cref="NodeServices"/>); none by default.</summary>
    public NodeServices Services { get; init; } = NodeServices.None;

    public bool Has(string role) => Roles.Contains(role);

    /// <summary>A node as the settings' Node section describes it: roles, address, seed nodes, journal, HOCON files, TLS.</summary>
    public static NodeSettings Of(NodeSection node) => new()
    {
        Roles = node.Roles,
        Host = node.Host,
        Port = node.Port,
        SeedNodes = node.SeedNodes,
        Persistence = node.Journal,
        HoconFiles = node.Hocon,
        Tls = node.Tls,
    };
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
