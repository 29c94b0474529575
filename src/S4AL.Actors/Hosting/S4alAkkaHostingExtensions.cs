using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Akka.DependencyInjection;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using S4AL.Actors.Coordinator;
using S4AL.Actors.Replay;
using S4AL.Actors.Reports;
using S4AL.Actors.Scorer;
using S4AL.Actors.Serialization;
using S4AL.Actors.Trainer;
using S4AL.Actors.Workspace;

namespace S4AL.Actors.Hosting;

/// <summary>Registry keys of the node's actors (Akka.Hosting's ActorRegistry).</summary>
public sealed class CoordinatorKey;
public sealed class ScorerRegionKey;
public sealed class ReplayRegionKey;
public sealed class ReporterRegionKey;

/// <summary>
/// One Add-method per actor, as Akka.Hosting extensions, so the node, the tests and the
/// cluster configurations wire the same actors the same way. A node with a role hosts the
/// actor; without it, it gets a proxy (singleton proxy, shard-region proxy).
/// </summary>
public static class S4alAkkaHostingExtensions
{
    /// <summary>MessagePack for every <see cref="Domain.IS4alMessage"/> (serializer id 4401, which the journal's rows name).</summary>
    public static AkkaConfigurationBuilder WithS4alSerialization(this AkkaConfigurationBuilder builder) =>
        builder.WithCustomSerializer(S4alMessagePackSerializer.Alias, S4alMessagePackSerializer.BoundTypes, system => new S4alMessagePackSerializer(system));

    /// <summary>
    /// The journal and snapshots in SQL. HOCON, not Akka.Persistence.Sql.Hosting: that package is
    /// served here only at 1.5.70, built against an older linq2db than Akka.Persistence.Sql 1.5.73.
    /// </summary>
    public static AkkaConfigurationBuilder WithS4alPersistence(this AkkaConfigurationBuilder builder, PersistenceOptions options) =>
        builder.AddHocon(options.ToHocon(), HoconAddMode.Prepend);

    /// <summary>
    /// The services the node's actors are built from (<c>resolver.Props&lt;T&gt;()</c> takes them from
    /// here; only actor references are passed by hand): the options of each role, the node's dataset
    /// cache, its shard scoring (where scorers run; <paramref name="wrapScoring"/> lets an embedding
    /// host instrument it) and the run-folder writer of the reporters.
    /// </summary>
    public static IServiceCollection AddS4alNodeServices(this IServiceCollection services, CoordinatorOptions coordinator,
        TrainerOptions trainer, ScorerOptions scorer, Func<IShardScoring, IShardScoring>? wrapScoring = null)
    {
        services.AddSingleton(coordinator);
        services.AddSingleton(trainer);
        services.AddSingleton(scorer);
        services.AddSingleton<DatasetCache>();
        services.AddSingleton<ShardScoring>();
        services.AddSingleton<IShardScoring>(p => wrapScoring is null ? p.GetRequiredService<ShardScoring>() : wrapScoring(p.GetRequiredService<ShardScoring>()));
        services.AddSingleton<IRunFolderWriter, RunFolderWriter>();
        return services;
    }

    /// <summary>The scorer entities (or a proxy); they hand the work to the node's <see cref="IShardScoring"/>.</summary>
    public static AkkaConfigurationBuilder WithS4alScorers(this AkkaConfigurationBuilder builder, bool host) =>
        host
            ? builder.WithShardRegion<ScorerRegionKey>("scorer", (_, _, resolver) => _ => resolver.Props<ScorerActor>(), new ScorerMessageExtractor(),
                Sharded(NodeRoles.Scorer))
            : builder.WithShardRegionProxy<ScorerRegionKey>("scorer", NodeRoles.Scorer, new ScorerMessageExtractor());

    public static AkkaConfigurationBuilder WithS4alReplay(this AkkaConfigurationBuilder builder, bool host) =>
        host
            // A buffer holds a training session's state: it must not be passivated while the trainer is in its cold start.
            ? builder.WithShardRegion<ReplayRegionKey>("replay", (_, _, resolver) => _ => resolver.Props<ReplayBufferActor>(), new ReplayMessageExtractor(),
                Sharded(NodeRoles.Replay, passivateIdle: false))
            : builder.WithShardRegionProxy<ReplayRegionKey>("replay", NodeRoles.Replay, new ReplayMessageExtractor());

    /// <summary>
    /// The reporters (one sharded entity per experiment) on scorer nodes, which read the data the
    /// results show; call after the coordinator registration, whose proxy they subscribe through.
    /// </summary>
    public static AkkaConfigurationBuilder WithS4alReporters(this AkkaConfigurationBuilder builder, bool host) =>
        host
            ? builder.WithShardRegion<ReporterRegionKey>("reporter",
                (_, registry, resolver) => _ => resolver.Props<ReporterActor>(registry.Get<CoordinatorKey>(), ReporterActor.PollInterval).WithDispatcher(ReporterActor.Dispatcher),
                new ReporterMessageExtractor(), Sharded(NodeRoles.Scorer))
            : builder.WithShardRegionProxy<ReporterRegionKey>("reporter", NodeRoles.Scorer, new ReporterMessageExtractor());

    /// <summary>
    /// Every region's sharding: entities on nodes with <paramref name="role"/>, shard state in
    /// distributed data, entities not remembered (the coordinator re-sends lost work).
    /// </summary>
    static ShardOptions Sharded(string role, bool passivateIdle = true) => passivateIdle
        ? new() { Role = role, StateStoreMode = StateStoreMode.DData, RememberEntities = false }
        : new() { Role = role, StateStoreMode = StateStoreMode.DData, RememberEntities = false, PassivateIdleEntityAfter = TimeSpan.Zero, ShouldPassivateIdleEntities = false };

    /// <summary>The coordinator singleton (or only its proxy); call after <see cref="WithS4alScorers"/>, whose region it uses.</summary>
    public static AkkaConfigurationBuilder WithS4alCoordinator(this AkkaConfigurationBuilder builder, bool host)
    {
        var singleton = new ClusterSingletonOptions { Role = NodeRoles.Coordinator };
        return host
            ? builder.WithSingleton<CoordinatorKey>("coordinator",
                (_, registry, resolver) => resolver.Props<CoordinatorActor>(registry.Get<ScorerRegionKey>(), registry.Get<ReporterRegionKey>()), singleton, createProxyToo: true)
            : builder.WithSingletonProxy<CoordinatorKey>("coordinator", singleton);
    }

    /// <summary>A node without the coordinator role introduces itself to the coordinator (protocol version, serializer).</summary>
    public static AkkaConfigurationBuilder WithS4alHandshake(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, registry, resolver) =>
            system.ActorOf(resolver.Props<HandshakeActor>(registry.Get<CoordinatorKey>(), Akka.Cluster.Cluster.Get(system).SelfAddress.ToString()), "handshake"));

    /// <summary>
    /// The node's trainers, <paramref name="count"/> of them (each trains one experiment at a time and
    /// registers with the coordinator on its own); call after the coordinator and replay registrations.
    /// </summary>
    public static AkkaConfigurationBuilder WithS4alTrainer(this AkkaConfigurationBuilder builder, int count = 1)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "a trainer node needs at least 1 trainer (TrainerOptions.Count)");
        return builder.WithActors((system, registry, resolver) =>
        {
            var address = Akka.Cluster.Cluster.Get(system).SelfAddress.ToString();
            for (int i = 1; i <= count; i++)
            {
                // Both references are IActorRef: the resolver fills the constructor's parameters in the order given.
                system.ActorOf(resolver.Props<TrainerActor>(registry.Get<CoordinatorKey>(), registry.Get<ReplayRegionKey>(), TrainerActor.NameOf(address, i, count)),
                    TrainerActor.ActorName(i, count));
            }
        });
    }
}
