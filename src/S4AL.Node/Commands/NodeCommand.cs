using System.CommandLine;
using Akka.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using S4AL.Actors.Hosting;
using S4AL.Actors.Scorer;
using S4AL.Actors.Trainer;
using S4AL.Node.Configuration;
using S4AL.Node.Hosting;
using TorchSharp;

namespace S4AL.Node.Commands;

/// <summary>`s4al node`: one node of a cluster with the given roles; runs until stopped (Ctrl+C, SIGTERM).</summary>
public static class NodeCommand
{
    public static Command Create(NodeServices services)
    {
        var cluster = new ClusterOptions();
        var roles = new Option<string>("--roles") { Description = "Comma-separated: coordinator, trainer, scorer, replay, annotation (the annotation page, see --annotate-url) (setting Node:Roles; default: all but annotation)" };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N for training and scoring (setting Node:Device; default: cpu)" };
        var threads = new Option<int>("--threads") { Description = "CPU threads for tensor operations, shared by the node's trainers (setting Node:Threads; default: all cores)" };
        var trainers = TrainersOption();
        var log = new Option<string?>("--log") { Description = "Log file (default: none; errors that stop the node are printed on standard error)" };
        var cmd = new Command("node", "Start a cluster node with the given roles and join the seed nodes (the first seed node forms the cluster).");
        cluster.AddTo(cmd);
        var checkpointInterval = RunCommand.CheckpointIntervalOption();
        foreach (var o in new Option[] { roles, device, threads, trainers, log, checkpointInterval }) cmd.Options.Add(o);
        var telemetry = SettingOptions.Telemetry();
        telemetry.AddTo(cmd);
        var annotation = SettingOptions.Annotation();
        annotation.AddTo(cmd);
        cmd.SetAction(parse => CommandErrors.Guard(() =>
        {
            var config = S4alConfiguration.Load(annotation.MapTo(telemetry.MapTo(cluster.Given(parse).Map(roles, "Node:Roles").Map(device, "Node:Device").Map(threads, "Node:Threads").Map(trainers, TrainersSetting))));
            var node = config.Node;
            if (node.Roles.Contains(NodeRoles.Coordinator) && node.Journal is null)
                throw new UsageException("--journal (setting Node:Journal) is required on a node with the coordinator role (sqlite:FILE on one machine, postgres:... for a cluster)");
            torch.set_num_threads(node.Threads);
            var settings = new NodeSettings
            {
                Node = node,
                Trainer = new TrainerOptions
                {
                    Device = node.Device, Count = config.Trainer.Count, Threads = node.Threads,
                    CheckpointInterval = RunCommand.CheckpointInterval(parse, checkpointInterval),
                },
                Scorer = new ScorerOptions { Device = node.Device },
                Services = services,
                LogFile = parse.GetValue(log),
                // One service per role set, so Jaeger's service list reads like the deployment.
                Annotation = config.Annotation,
                Telemetry = config.Telemetry with { ServiceName = node.Roles.Count == NodeRoles.All.Count ? "s4al" : "s4al-" + string.Join("-", node.Roles) },
            };
            return Run(settings);
        }));
        return cmd;
    }

    public const string TrainersSetting = "Trainer:Count";

    /// <summary>--trainers N (node, run): trainer actors on the node, each with threads / N CPU threads.</summary>
    public static Option<int> TrainersOption() => new("--trainers")
    {
        Description = "Trainers on this node, each training one experiment at a time with --threads / N CPU threads (setting Trainer:Count; default 1)",
    };

    static int Run(NodeSettings settings)
    {
        using var host = NodeHost.Build(settings);
        host.StartAsync().GetAwaiter().GetResult();
        var system = host.System();
        var cluster = Cluster.Get(system);
        var refused = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(Akka.Actor.Props.Create(() => new RefusalWatcher(refused)));
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        var first = Task.WhenAny(up.Task, system.WhenTerminated).GetAwaiter().GetResult();
        if (first != up.Task)
        {
            Console.Error.WriteLine($"s4al: error: node {cluster.SelfAddress} could not join the cluster at {string.Join(", ", settings.Node.SeedNodes)} (seed nodes unreachable, or this node's settings are incompatible with the cluster's; see the log)");
            return 1;
        }
        if (host.AnnotationPage() is { Failure: { } failure })
        {
            // The page is what this node was asked for; without it the node has no purpose.
            Console.Error.WriteLine($"s4al: error: {failure}");
            host.StopQuietly(TimeSpan.FromSeconds(20));
            return 1;
        }
        Console.Out.WriteLine($"node {cluster.SelfAddress} is up with roles {string.Join(",", settings.Node.Roles)}");
        if (host.AnnotationPage() is { } page) Console.Out.WriteLine(page.Describe());
        // Ctrl+C and SIGTERM (docker stop) reach the host's console lifetime, which asks the application to stop.
        var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var ended = Task.WhenAny(system.WhenTerminated, refused.Task, Task.Delay(Timeout.Infinite, stopping)).GetAwaiter().GetResult();
        if (ended == refused.Task)
        {
            // Leaving (by stopping the host) keeps the cluster healthy: the node is removed, not downed as unreachable.
            Console.Error.WriteLine($"s4al: error: the cluster refused node {cluster.SelfAddress}: {refused.Task.Result}");
            host.StopQuietly(TimeSpan.FromSeconds(20));
            return 1;
        }
        if (ended == system.WhenTerminated)
        {
            // Downed by the split-brain resolver or removed by an operator: a supervisor restarts the process.
            Console.Error.WriteLine($"s4al: error: node {cluster.SelfAddress} was removed from the cluster (downed); restart it to rejoin");
            host.StopQuietly(TimeSpan.FromSeconds(20));
            return 1;
        }
        // Stopping the host leaves the cluster gracefully: a singleton or shards on this node hand over first.
        host.StopQuietly(TimeSpan.FromSeconds(20));
        return 0;
    }

    sealed class RefusalWatcher : Akka.Actor.ReceiveActor
    {
        public RefusalWatcher(TaskCompletionSource<string> refused)
        {
            Receive<NodeRefused>(r => refused.TrySetResult(r.Reason));
        }

        protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(NodeRefused));
    }
}
