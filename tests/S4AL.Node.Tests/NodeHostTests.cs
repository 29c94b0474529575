using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Serialization;
using S4AL.Actors.Hosting;
using S4AL.Actors.Serialization;
using S4AL.Actors.Tests.Support;
using S4AL.Node.Hosting;
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
}
