using System.CommandLine;
using Akka.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using S4AL.Actors.Hosting;
using S4AL.Actors.Scorer;
using S4AL.Actors.Trainer;
using S4AL.Node.Hosting;
using TorchSharp;

namespace S4AL.Node.Commands;

/// <summary>`s4al node`: one node of a cluster with the given roles; runs until stopped (Ctrl+C, SIGTERM).</summary>
public static class NodeCommand
{
    public static Command Create(NodeServices services)
    {
        var cluster = new ClusterOptions();
        var roles = new Option<string>("--roles") { Description = "Comma-separated: coordinator, trainer, scorer, replay (env S4AL_ROLES)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("S4AL_ROLES") is { Length: > 0 } r ? r : string.Join(",", NodeRoles.All) };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N for training and scoring (env S4AL_DEVICE)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("S4AL_DEVICE") is { Length: > 0 } d ? d : "cpu" };
        var threads = new Option<int>("--threads") { Description = "CPU threads for tensor operations (env S4AL_THREADS)", DefaultValueFactory = _ => int.TryParse(Environment.GetEnvironmentVariable("S4AL_THREADS"), out var t) ? t : Environment.ProcessorCount };
        var log = new Option<string?>("--log") { Description = "Log file (default: none; errors that stop the node are printed on standard error)" };
        var cmd = new Command("node", "Start a cluster node with the given roles and join the seed nodes (the first seed node forms the cluster).");
        cluster.AddTo(cmd);
        var checkpointInterval = RunCommand.CheckpointIntervalOption();
        foreach (var o in new Option[] { roles, device, threads, log, checkpointInterval }) cmd.Options.Add(o);
        var telemetry = new TelemetryOptions();
        telemetry.AddTo(cmd);
        cmd.SetAction(parse => CommandErrors.Guard(() =>
        {
            var roleList = RunOptions.Named("--roles", parse.GetValue(roles)!, NodeRoles.Parse);
            var deviceName = parse.GetValue(device)!;
            DeviceParser.Parse(deviceName);
            int t = parse.GetValue(threads);
            if (t < 1) throw new UsageException($"--threads {t}: must be at least 1");
            var journal = cluster.Journal(parse);
            if (roleList.Contains(NodeRoles.Coordinator) && journal is null)
                throw new UsageException("--journal is required on a node with the coordinator role (sqlite:FILE on one machine, postgres:... for a cluster)");
            torch.set_num_threads(t);
            var settings = new NodeSettings
            {
                Roles = roleList,
                Host = cluster.Host(parse),
                Port = cluster.Port(parse),
                SeedNodes = cluster.SeedNodes(parse),
                Persistence = journal,
                HoconFiles = cluster.ConfigFiles(parse),
                Trainer = new TrainerOptions { Device = deviceName, CheckpointInterval = RunCommand.CheckpointInterval(parse, checkpointInterval) },
                Scorer = new ScorerOptions { Device = deviceName },
                Services = services,
                LogFile = parse.GetValue(log),
                Tls = TlsFromEnvironment(),
                // One service per role set, so Jaeger's service list reads like the deployment.
                Telemetry = telemetry.Read(parse, roleList.Count() == NodeRoles.All.Count ? "s4al" : "s4al-" + string.Join("-", roleList)),
            };
            return Run(settings);
        }));
        return cmd;
    }

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
            Console.Error.WriteLine($"s4al: error: node {cluster.SelfAddress} could not join the cluster at {string.Join(", ", settings.SeedNodes)} (seed nodes unreachable, or this node's settings are incompatible with the cluster's; see the log)");
            return 1;
        }
        Console.Out.WriteLine($"node {cluster.SelfAddress} is up with roles {string.Join(",", settings.Roles)}");
        // Ctrl+C and SIGTERM (docker stop) reach the host's console lifetime, which asks the application to stop.
        var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var ended = Task.WhenAny(system.WhenTerminated, refused.Task, Task.Delay(Timeout.Infinite, stopping)).GetAwaiter().GetResult();
        if (ended == refused.Task)
        {
            // Leaving keeps the cluster healthy: the node is removed, not downed as unreachable.
            Console.Error.WriteLine($"s4al: error: the cluster refused node {cluster.SelfAddress}: {refused.Task.Result}");
            cluster.LeaveAsync().Wait(TimeSpan.FromSeconds(20));
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
        // Leave the cluster gracefully: a singleton or shards on this node hand over first.
        cluster.LeaveAsync().Wait(TimeSpan.FromSeconds(20));
        host.StopQuietly(TimeSpan.FromSeconds(20));
        return 0;
    }

    /// <summary>S4AL_TLS_PFX, S4AL_TLS_PASSWORD, S4AL_TLS_SUPPRESS_VALIDATION (see cluster-config/tls.hocon).</summary>
    public static (string, string, bool)? TlsFromEnvironment()
    {
        var pfx = Environment.GetEnvironmentVariable("S4AL_TLS_PFX");
        if (string.IsNullOrEmpty(pfx)) return null;
        if (!File.Exists(pfx)) throw new UsageException($"S4AL_TLS_PFX {pfx}: file not found");
        return (Path.GetFullPath(pfx), Environment.GetEnvironmentVariable("S4AL_TLS_PASSWORD") ?? "",
            string.Equals(Environment.GetEnvironmentVariable("S4AL_TLS_SUPPRESS_VALIDATION"), "true", StringComparison.OrdinalIgnoreCase));
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
