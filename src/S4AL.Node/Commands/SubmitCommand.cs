using S4AL.Learning.Storage;
using System.CommandLine;
using System.Diagnostics;
using S4AL.Node.Configuration;
using S4AL.Node.Runs;
using static S4AL.Domain.Protocols.CoordinatorProtocol;

namespace S4AL.Node.Commands;

/// <summary>
/// `s4al submit`: sends an experiment to a running cluster (joining it briefly as a node without
/// roles) and, with --watch, follows it to the end. The run folder must be on storage every
/// node reads; the coordinator writes the results there.
/// </summary>
public static class SubmitCommand
{
    public static Command Create()
    {
        var experiment = new RunOptions();
        var cluster = new ClusterOptions();
        var id = new Option<string?>("--experiment") { Description = "Experiment id (default: the run folder's name)" };
        var watchOption = new Option<bool>("--watch") { Description = "Show progress until the experiment ends" };
        var cmd = new Command("submit", "Submit an experiment to a running cluster (the same options as `run`; --run-dir on shared storage). Submitting the same experiment again resumes it; different settings for a known id are refused.");
        experiment.AddTo(cmd);
        cluster.AddTo(cmd);
        cmd.Options.Add(id);
        cmd.Options.Add(watchOption);
        cmd.SetAction(parse => CommandErrors.Guard(() =>
        {
            var spec = experiment.Read(parse);
            var node = S4alConfiguration.Load(cluster.Given(parse)).Node;
            if (node.SeedNodes.Count == 0) throw new UsageException("--seed-nodes (setting Node:SeedNodes) is required: the cluster to submit to");
            var experimentId = parse.GetValue(id) is { } given ? RunOptions.Named("--experiment", given, Domain.ExperimentId.Parse) : ExperimentPlanner.IdFor(spec.RunDir);
            var (plan, data) = ExperimentPlanner.Plan(spec, experimentId);
            // Before the coordinator hears of it: cycle 0 trains on them at once. Written again on a resubmission: the same files.
            ExperimentPlanner.StoreStartLabels(spec, data);
            var watch = Stopwatch.StartNew();
            using var client = CoordinatorClient.Connect(node, null);
            Directory.CreateDirectory(spec.RunDir);
            switch (client.Ask<object>(new SubmitExperiment(plan)))
            {
                case SubmitRefused r:
                    throw new UsageException($"experiment {plan.Id} refused: {r.Reason}");
                case SubmitAccepted a:
                    if (!a.AlreadyKnown) AtomicFile.WriteText(Path.Combine(spec.RunDir, RunFolder.SettingsFileName), plan.Definition);
                    Console.Out.WriteLine(a.AlreadyKnown
                        ? $"experiment {plan.Id} is already known to the cluster: cycle {a.Status.Cycle}/{a.Status.LastCycle}, {a.Status.Phase.ToString().ToLowerInvariant()}"
                        : $"experiment {plan.Id} submitted; results in {spec.RunDir}");
                    break;
            }
            if (!parse.GetValue(watchOption)) return 0;
            return RunCommand.Watch(client.System, client.Coordinator, client.Reporters, plan, data, Console.Out, watch, "the nodes' logs", client.Stopping);
        }));
        return cmd;
    }
}
