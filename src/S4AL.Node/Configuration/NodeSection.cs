using S4AL.Actors.Hosting;
using S4AL.Node.Hosting;

namespace S4AL.Node.Configuration;

/// <summary>The section Node of <see cref="S4alSettings"/>: address, cluster, journal, devices, TLS.</summary>
public sealed record NodeSection
{
    public IReadOnlyList<string> Roles { get; init; } = NodeRoles.All;
    /// <summary>The address other nodes reach this one at.</summary>
    public string Host { get; init; } = "127.0.0.1";
    /// <summary>0: any free port.</summary>
    public int Port { get; init; }
    /// <summary>Akka addresses of the seed nodes; empty: the node forms a cluster of its own.</summary>
    public IReadOnlyList<string> SeedNodes { get; init; } = [];
    /// <summary>The coordinator's journal (sqlite:FILE or postgres:CONNECTION-STRING); required with the coordinator role.</summary>
    public PersistenceOptions? Journal { get; init; }
    /// <summary>HOCON files applied over everything else (full paths), e.g. cluster-config/base.hocon.</summary>
    public IReadOnlyList<string> Hocon { get; init; } = [];
    /// <summary>cpu, cuda or cuda:N for training and scoring.</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>CPU threads for tensor operations.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
    /// <summary>TLS between nodes; null: plain TCP.</summary>
    public TlsSettings? Tls { get; init; }
}
