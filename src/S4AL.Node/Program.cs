using System.CommandLine;
using S4AL.Node.Commands;

var root = new RootCommand("S4AL.NET: semantic segmentation with active semi-supervised learning (S4AL).");
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(StatusCommand.Create());
root.Subcommands.Add(NodeCommand.Create());
root.Subcommands.Add(SubmitCommand.Create());
root.Subcommands.Add(PretrainCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
return await root.Parse(args).InvokeAsync();
