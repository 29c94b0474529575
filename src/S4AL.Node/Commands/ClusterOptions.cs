using System.CommandLine;
using S4AL.Node.Configuration;

namespace S4AL.Node.Commands;

/// <summary>
/// How a process joins a cluster: address, seed nodes, journal and HOCON overlays. Each option,
/// when given, overrides its setting from appsettings.json and S4AL__ variables (see
/// <see cref="S4alConfiguration"/>), so containers and command lines configure the same settings.
/// </summary>
public sealed class ClusterOptions
{
    readonly Option<string> _host = new("--host") { Description = "Address other nodes reach this one at (setting Node:Host; default 127.0.0.1)" };
    readonly Option<int> _port = new("--port") { Description = "Port of this node; 0 = any free port (setting Node:Port; default 0)" };
    readonly Option<string> _seeds = new("--seed-nodes") { Description = "Comma-separated seed node addresses, e.g. akka.tcp://s4al@10.0.0.5:4053 (setting Node:SeedNodes)" };
    readonly Option<string> _journal = new("--journal") { Description = "The coordinator's journal: sqlite:FILE or postgres:CONNECTION-STRING (setting Node:Journal)" };
    readonly Option<string> _hocon = HoconOption();

    /// <summary>--hocon FILES (run, node, status, submit): Akka HOCON applied over everything else.</summary>
    public static Option<string> HoconOption() => new("--hocon")
    {
        Description = "Comma-separated HOCON files applied over the node's Akka configuration, e.g. cluster-config/base.hocon (setting Node:Hocon)",
    };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { _host, _port, _seeds, _journal, _hocon }) command.Options.Add(o);
    }

    /// <summary>The options the user gave, as settings keys.</summary>
    public GivenOptions Given(ParseResult parse) => new GivenOptions(parse)
        .Map(_host, "Node:Host").Map(_port, "Node:Port").Map(_seeds, "Node:SeedNodes").Map(_journal, "Node:Journal").Map(_hocon, "Node:Hocon");
}
