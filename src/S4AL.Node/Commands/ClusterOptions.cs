using System.CommandLine;
using Akka.Actor;
using S4AL.Actors.Hosting;

namespace S4AL.Node.Commands;

/// <summary>
/// How a process joins a cluster: address, seed nodes, journal and HOCON overlays. Each option
/// falls back to an environment variable (S4AL_HOST, S4AL_PORT, S4AL_SEED_NODES, S4AL_JOURNAL,
/// S4AL_CONFIG), so containers are configured the same way as command lines.
/// </summary>
public sealed class ClusterOptions
{
    readonly Option<string> _host = new("--host") { Description = "Address other nodes reach this one at (env S4AL_HOST)", DefaultValueFactory = _ => Env("S4AL_HOST") ?? "127.0.0.1" };
    readonly Option<int> _port = new("--port") { Description = "Port of this node; 0 = any free port (env S4AL_PORT)", DefaultValueFactory = _ => int.TryParse(Env("S4AL_PORT"), out var p) ? p : 0 };
    readonly Option<string?> _seeds = new("--seed-nodes") { Description = "Comma-separated seed node addresses, e.g. akka.tcp://s4al@10.0.0.5:4053 (env S4AL_SEED_NODES)", DefaultValueFactory = _ => Env("S4AL_SEED_NODES") };
    readonly Option<string?> _journal = new("--journal") { Description = "The coordinator's journal: sqlite:FILE or postgres:CONNECTION-STRING (env S4AL_JOURNAL)", DefaultValueFactory = _ => Env("S4AL_JOURNAL") };
    readonly Option<string?> _config = new("--config") { Description = "Comma-separated HOCON files applied over the defaults, e.g. cluster-config/base.hocon (env S4AL_CONFIG)", DefaultValueFactory = _ => Env("S4AL_CONFIG") };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { _host, _port, _seeds, _journal, _config }) command.Options.Add(o);
    }

    public string Host(ParseResult p) => p.GetValue(_host)!;

    public int Port(ParseResult p)
    {
        var port = p.GetValue(_port);
        return port is >= 0 and <= 65535 ? port : throw new UsageException($"--port {port}: must be 0..65535");
    }

    public IReadOnlyList<string> SeedNodes(ParseResult p)
    {
        var seeds = Split(p.GetValue(_seeds));
        foreach (var seed in seeds)
        {
            try
            {
                var address = Address.Parse(seed);
                if (address.System != Hosting.NodeHost.SystemName || address.Host is null || address.Port is null)
                    throw new UriFormatException("expected akka.tcp://" + Hosting.NodeHost.SystemName + "@HOST:PORT");
            }
            catch (UriFormatException e) { throw new UsageException($"--seed-nodes {seed}: not a seed node address ({e.Message})"); }
        }
        return seeds;
    }

    public PersistenceOptions? Journal(ParseResult p)
    {
        var text = p.GetValue(_journal);
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (text.StartsWith("postgres:", StringComparison.OrdinalIgnoreCase)) return PersistenceOptions.PostgreSql(text["postgres:".Length..]);
        if (text.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase)) return PersistenceOptions.Sqlite(text["sqlite:".Length..]);
        throw new UsageException($"--journal {text}: expected sqlite:FILE or postgres:CONNECTION-STRING");
    }

    public IReadOnlyList<string> ConfigFiles(ParseResult p)
    {
        var files = Split(p.GetValue(_config));
        foreach (var f in files)
            if (!File.Exists(f)) throw new UsageException($"--config {f}: file not found");
        return files;
    }

    static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    static string[] Split(string? text) => (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
