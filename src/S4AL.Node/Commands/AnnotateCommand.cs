using System.CommandLine;
using S4AL.Domain.Experiments;
using S4AL.Node.Configuration;
using S4AL.Node.Runs;
using static S4AL.Domain.Protocols.CoordinatorProtocol;

namespace S4AL.Node.Commands;

/// <summary>`s4al annotate --close`: ends the current annotation round early; regions without a label go back to the pool.</summary>
public static class AnnotateCommand
{
    public static Command Create()
    {
        var runDir = new Option<string?>("--run-dir") { Description = "The run folder of the experiment (an `s4al run` working in it, or with --seed-nodes the experiment's results folder)" };
        var close = new Option<bool>("--close") { Description = "End the current annotation round now: regions without a label return to the pool, their pixels count as unlabeled, and the next cycle trains" };
        var cluster = new ClusterOptions();
        var cmd = new Command("annotate", "Control an experiment's annotation round (people label the regions it queries).");
        cmd.Options.Add(runDir);
        cmd.Options.Add(close);
        cluster.AddTo(cmd);
        cmd.SetAction(parse => CommandErrors.Guard(() =>
        {
            if (!parse.GetValue(close)) throw new UsageException("say what to do: --close ends the current annotation round");
            var node = S4alConfiguration.Load(cluster.Given(parse)).Node;
            using var client = CoordinatorClient.Connect(node, parse.GetValue(runDir));
            var s = client.Experiment(parse.GetValue(runDir));
            switch (client.Ask<object>(new CloseAnnotation(s.Id, s.Cycle)))
            {
                case AnnotationRefused r: throw new UsageException(r.Reason);
                case ExperimentStatus status:
                    int labeled = s.CycleLabels.Count, queried = s.CycleAcquisition.Length;
                    Console.Out.WriteLine($"cycle {s.Cycle} of experiment {s.Id} closed with {labeled} of {queried} regions labeled; {queried - labeled} returned to the pool" +
                        (status.Phase == CyclePhase.Done ? "" : $"; cycle {s.Cycle + 1} trains next"));
                    return 0;
                case var other: throw new InvalidOperationException($"unexpected answer {other.GetType().Name}");
            }
        }));
        return cmd;
    }
}
