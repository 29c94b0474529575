using System.CommandLine;
using S4AL.Learning;
using S4AL.Node.Commands;
using S4AL.Node.Configuration;
using S4AL.Node.Hosting;

namespace S4AL.Node;

/// <summary>The `s4al` command line, for Program and for hosts that embed it with their own node services.</summary>
public static class S4alCli
{
    public static RootCommand Create(NodeServices? services = null)
    {
        services ??= NodeServices.None;
        var root = new RootCommand("S4AL.NET: semantic segmentation with active semi-supervised learning (S4AL).");
        root.Options.Add(S4alConfiguration.ConfigOption());
        root.Subcommands.Add(RunCommand.Create(services));
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(NodeCommand.Create(services));
        root.Subcommands.Add(SubmitCommand.Create());
        root.Subcommands.Add(AnnotateCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(ImportCommand.Create());
        root.Subcommands.Add(PretrainCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(SweepCommand.Create(services));
        return root;
    }

    /// <summary>Parses <paramref name="args"/>, sets up the native heap from the settings (before the first tensor), and runs the command.</summary>
    public static async Task<int> InvokeAsync(string[] args, NodeServices? services = null)
    {
        var parse = Create(services).Parse(args);
        // How glibc returns freed tensor memory decides how many page faults every training step pays (see NativeHeap).
        var heap = CommandErrors.Guard(() =>
        {
            var settings = S4alConfiguration.Bind(S4alConfiguration.Build(S4alConfiguration.ConfigFile(parse), S4alConfiguration.ProcessEnvironment()));
            NativeHeap.Configure(settings.NativeHeap);
            return 0;
        });
        return heap != 0 ? heap : await parse.InvokeAsync();
    }
}
