using System.CommandLine;
using S4AL.Learning;
using S4AL.Node.Commands;

// Before the first tensor: how glibc returns freed tensor memory decides how many page faults
// every training step pays (see NativeHeap).
try
{
    NativeHeap.Configure();
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"s4al: error: {e.Message}");
    return 2;
}

var root = new RootCommand("S4AL.NET: semantic segmentation with active semi-supervised learning (S4AL).");
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(StatusCommand.Create());
root.Subcommands.Add(NodeCommand.Create());
root.Subcommands.Add(SubmitCommand.Create());
root.Subcommands.Add(PretrainCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
return await root.Parse(args).InvokeAsync();
