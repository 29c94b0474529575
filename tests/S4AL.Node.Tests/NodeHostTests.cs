using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Serialization;
using S4AL.Actors.Hosting;
using S4AL.Actors.Serialization;
using S4AL.Actors.Tests.Support;
using S4AL.Domain.Experiments;
using S4AL.Node.Hosting;
using S4AL.Node.Runs;
using static S4AL.Domain.Protocols.CoordinatorProtocol;

namespace S4AL.Node.Tests;

/// <summary>The actor system Akka.Hosting builds for a node: serializer, remoting, cluster, sharding and singleton as the node configures them.</summary>
public class NodeHostTests
{
    [Fact]
    public async Task The_hosting_configured_system_has_the_serializer_remoting_split_brain_resolver_and_sharding()
    {
        var dir = ActorSpecConfig.TempDir("node-host");
        using var host = NodeHost.Build(new NodeSettings { Node = new() { Journal = PersistenceOptions.Sqlite(Path.Combine(dir, "journal.db")) } });
        await host.StartAsync();
        try
        {
            var system = (ExtendedActorSystem)host.System();
            // WithCustomSerializer: the same id and binding as the journal's rows, so old journals stay readable.
            var message = new ListExperiments();
            var serializer = system.Serialization.FindSerializerFor(message);
            Assert.IsType<S4alMessagePackSerializer>(serializer);
            Assert.Equal(4401, serializer.Identifier);
            Assert.IsType<ListExperiments>(system.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, ((SerializerWithStringManifest)serializer).Manifest(message)));

            var config = system.Settings.Config;
            Assert.Equal("keep-majority", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
            Assert.Contains("SplitBrainResolverProvider", config.GetString("akka.cluster.downing-provider-class"));
            Assert.Equal(NodeHost.MaxFrameSize, config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size"));
            Assert.Equal("127.0.0.1", config.GetString("akka.remote.dot-netty.tcp.hostname"));
            Assert.Equal(NodeRoles.All.Order(), Cluster.Get(system).SelfRoles.Order());
            Assert.True(config.GetBoolean("akka.coordinated-shutdown.exit-clr") is false);

            // Sharding (ShardOptions): the scorer, replay and reporter regions run on this node with every role.
            var regions = ClusterSharding.Get(system).ShardTypeNames.Order().ToArray();
            Assert.Equal(["replay", "reporter", "scorer"], regions);
            // The coordinator singleton answers through its proxy.
            var status = await host.Registry().Get<CoordinatorKey>().Ask<ExperimentList>(new ListExperiments(), TimeSpan.FromSeconds(60));
            Assert.Empty(status.Experiments);
        }
        finally { host.StopQuietly(TimeSpan.FromSeconds(30)); }
    }

    [Fact]
    public async Task A_node_with_two_trainers_trains_two_experiments_at_once()
    {
        var dir = ActorSpecConfig.TempDir("two-trainers");
        using var host = NodeHost.Build(new NodeSettings
        {
            Node = new() { Journal = PersistenceOptions.Sqlite(Path.Combine(dir, "journal.db")) },
            Trainer = new() { Count = 2, Threads = 2 },
            ExtraHocon = "akka.actor.serialize-messages = on",
        });
        await host.StartAsync();
        try
        {
            var coordinator = host.Registry().Get<CoordinatorKey>();
            // Far more epochs than the test waits for: stopping the host cancels both jobs.
            var plans = new[] { "first", "second" }.Select(id => ActorSpecConfig.Plan(Path.Combine(dir, id), ActorSpecConfig.Definition(epochs: 100_000, iterations: 5), id: id)).ToArray();
            foreach (var plan in plans) Assert.IsType<SubmitAccepted>(await coordinator.Ask<object>(new SubmitExperiment(plan), TimeSpan.FromSeconds(120)));
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
            ExperimentStatus[] training;
            while ((training = (await coordinator.Ask<ExperimentList>(new ListExperiments(), TimeSpan.FromSeconds(60))).Experiments
                       .Where(s => s.Phase == CyclePhase.Training && s.Trainer is not null).ToArray()).Length < 2)
            {
                Assert.True(DateTime.UtcNow < deadline, $"two experiments were not training at once within 5 minutes ({training.Length} were)");
                await Task.Delay(200);
            }
            // Each on its own trainer, named by the node's address and the actor.
            var address = Cluster.Get(host.System()).SelfAddress.ToString();
            Assert.Equal([address + "/trainer-1", address + "/trainer-2"], training.Select(s => s.Trainer!).Order());
        }
        finally { host.StopQuietly(TimeSpan.FromSeconds(30)); }
    }

    [Fact]
    public async Task A_client_and_a_node_leave_the_cluster_for_a_reason_that_keeps_the_exit_code_of_the_command()
    {
        // Akka.Hosting sets the process exit code to -1, on a thread of its own, when the actor system ends
        // for ClusterLeavingReason or ClusterDowningReason: a command that leaves that way can exit 255
        // after printing its result. Leaving by stopping the host gives ClrExitReason.
        var dir = ActorSpecConfig.TempDir("leave-reason");
        using var host = NodeHost.Build(new NodeSettings { Node = new() { Journal = PersistenceOptions.Sqlite(Path.Combine(dir, "journal.db")) } });
        await host.StartAsync();
        ActorSystem clientSystem;
        try
        {
            var seed = Cluster.Get(host.System()).SelfAddress.ToString();
            using (var client = CoordinatorClient.Connect(new() { SeedNodes = [seed] }, runDir: null))
            {
                clientSystem = client.System;
                Assert.Empty(client.Ask<ExperimentList>(new ListExperiments()).Experiments);
            }
            // Dispose gives the shutdown 20 s; a loaded machine may need longer to finish it.
            Assert.True(await Terminated(clientSystem), "the client's actor system still ran 2 minutes after Dispose");
            Assert.IsType<CoordinatedShutdown.ClrExitReason>(CoordinatedShutdown.Get(clientSystem).ShutdownReason);
        }
        finally { host.StopQuietly(TimeSpan.FromSeconds(30)); }
        Assert.True(await Terminated(host.System()), "the node's actor system still ran 2 minutes after StopQuietly");
        Assert.IsType<CoordinatedShutdown.ClrExitReason>(CoordinatedShutdown.Get(host.System()).ShutdownReason);
    }

    static async Task<bool> Terminated(ActorSystem system) =>
        await Task.WhenAny(system.WhenTerminated, Task.Delay(TimeSpan.FromMinutes(2))) == system.WhenTerminated;
}
