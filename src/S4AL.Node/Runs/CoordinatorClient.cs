using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using S4AL.Actors.Hosting;
using S4AL.Domain.Experiments;
using S4AL.Node.Commands;
using S4AL.Node.Configuration;
using S4AL.Node.Hosting;
using static S4AL.Domain.Protocols.CoordinatorProtocol;

namespace S4AL.Node.Runs;

/// <summary>
/// A short-lived client of a coordinator: a node without roles that joins the cluster given by
/// the seed nodes, or the one-node cluster of the `s4al run` working in a run folder (its
/// address is in the folder), asks, and leaves.
/// </summary>
public sealed class CoordinatorClient : IDisposable
{
    readonly IHost _host;

    CoordinatorClient(IHost host) => _host = host;

    public ActorSystem System => _host.System();
    public IActorRef Coordinator => _host.Registry().Get<CoordinatorKey>();
    /// <summary>The reporters' shard region (results of the run folders), e.g. to wait until a finished experiment's files are written.</summary>
    public IActorRef Reporters => _host.Registry().Get<ReporterRegionKey>();
    /// <summary>SIGTERM to this process (the client's host stops).</summary>
    public CancellationToken Stopping => _host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;

    /// <summary>
    /// Joins the cluster of <paramref name="node"/>'s seed nodes, or without seed nodes that of the
    /// process running <paramref name="runDir"/>. A long-lived client (a sweep followed to its end)
    /// gives a <paramref name="logFile"/>: its view of the cluster is what explains a coordinator that stops answering.
    /// </summary>
    public static CoordinatorClient Connect(NodeSection node, string? runDir, string? logFile = null)
    {
        if (node.SeedNodes.Count == 0)
        {
            if (runDir is null) throw new UsageException("give --run-dir DIR (a folder an `s4al run` works in) or --seed-nodes (a cluster)");
            node = node with { SeedNodes = [RunningAddress(runDir)] };
        }
        var host = NodeHost.Build(new NodeSettings { Node = node with { Roles = [], Port = 0, Journal = null }, LogFile = logFile });
        host.StartAsync().GetAwaiter().GetResult();
        return new CoordinatorClient(host);
    }

    /// <summary>How long a client waits for a process that is starting in the run folder to publish its address.</summary>
    static readonly TimeSpan AddressWait = TimeSpan.FromSeconds(60);

    static string RunningAddress(string runDir)
    {
        var full = Path.GetFullPath(runDir);
        if (!Directory.Exists(full)) throw new UsageException($"--run-dir {runDir}: no such folder");
        var address = Path.Combine(full, RunFolder.AddressFileName);
        var deadline = DateTime.UtcNow + AddressWait;
        while (true)
        {
            if (!RunFolder.IsInUse(full))
                throw new UsageException($"--run-dir {runDir}: no s4al process works in this folder; start `s4al run --run-dir {runDir}` (it resumes and waits for the labels), then try again");
            // The process writes it once its coordinator has the experiment (and deletes a stale one first).
            if (File.Exists(address)) return File.ReadAllText(address).Trim();
            if (DateTime.UtcNow > deadline)
                throw new UsageException($"--run-dir {runDir}: the s4al process working in it published no address within {AddressWait.TotalSeconds:0} s (only runs with --annotator human take labels)");
            Thread.Sleep(200);
        }
    }

    /// <summary>Asks the coordinator; errors name the journal or the timeout.</summary>
    public T Ask<T>(object message) => RunCommand.AskCoordinator<T>(System, Coordinator, message);

    /// <summary>The state of the experiment whose results go to <paramref name="runDir"/> (the only one of a run's cluster when null).</summary>
    public ExperimentState Experiment(string? runDir)
    {
        var known = Ask<ExperimentList>(new ListExperiments()).Experiments.Where(e => e.Found).ToList();
        var chosen = runDir is null
            ? known.Count == 1 ? known[0] : throw new UsageException($"the cluster knows {known.Count} experiments; give --run-dir to say which")
            : known.FirstOrDefault(e => Path.GetFullPath(e.RunDirectory) == Path.GetFullPath(runDir))
                ?? throw new UsageException($"the coordinator knows no experiment with run folder {runDir}");
        return Ask<Subscribed>(new Subscribe(chosen.Experiment, EventsOnly: true)).State?.ToState()
            ?? throw new InvalidOperationException($"the coordinator sent no state of experiment {chosen.Experiment}");
    }

    public void Dispose()
    {
        // Stopping the host leaves the cluster (NodeHost.StopQuietly says why not Cluster.LeaveAsync).
        _host.StopQuietly(TimeSpan.FromSeconds(20));
        _host.Dispose();
    }
}
