using System.CommandLine;
using S4AL.Node.Commands;
using S4AL.Node.Hosting;

namespace S4AL.Node;

/// <summary>The `s4al` command line, for Program and for hosts that embed it with their own node services.</summary>
public static class S4alCli
{
    public static RootCommand Create(NodeServices? services = null)
    {
        services ??= NodeServices.None;
        var root = new RootCommand("S4AL.NET: semantic segmentation with active semi-supervised learning (S4AL).");
        root.Subcommands.Add(RunCommand.Create(services));
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(NodeCommand.Create(services));
        root.Subcommands.Add(SubmitCommand.Create());
        root.Subcommands.Add(PretrainCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        return root;
    }
}
