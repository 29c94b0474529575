using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using S4AL.Actors.Serialization;
using S4AL.Domain.Acquisition;
using S4AL.Domain;
using S4AL.Domain.Experiments;
using S4AL.Learning.Acquisition;
using S4AL.Learning.ActiveLearning;
using S4AL.Learning.Data.Datasets;
using S4AL.Learning.Networks;

namespace S4AL.Actors.Tests.Support;

/// <summary>What every actor spec runs with: the S4AL serializer, every message serialized (as between nodes), a cluster provider, the in-memory journal and the TestKit's waits.</summary>
public static class ActorSpecConfig
{
    /// <summary>
    /// The TestKit's waits, for every spec's actor system. The defaults (3 s for ExpectMsg, 5 s
    /// to start) fail on a loaded machine although nothing is wrong; an expectation that holds
    /// returns as soon as it does, so only a real failure waits the full 30 s. A negative check
    /// (ExpectNoMsg) cannot fail falsely by being short, so its default stays small.
    /// </summary>
    public static readonly Config Timeouts = ConfigurationFactory.ParseString("""
        akka.test.single-expect-default = 30s
        akka.test.default-timeout = 30s
        akka.test.startup-timeout = 60s
        akka.test.expect-no-message-default = 3s
        """);

    public static readonly ActorSystemSetup Config = BootstrapSetup.Create().WithConfig(Timeouts
        .WithFallback(ConfigurationFactory.ParseString("""
            akka.actor.serialize-messages = on
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp.port = 0
            akka.remote.dot-netty.tcp.hostname = 127.0.0.1
            akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
            akka.loglevel = WARNING
            """))).And(S4alMessagePackSerializer.Setup());

    /// <summary>This test process's folders, deleted when it exits, so a long-lived machine does not fill up.</summary>
    static readonly string Root = TestFolders.ForProcess("s4al-actor-specs");

    public static string TempDir(string name)
    {
        var dir = Path.Combine(Root, Guid.NewGuid().ToString("N")[..8], name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A tiny experiment: 12 synthetic 32x48 scenes, the tiny network, 8-pixel regions (24 per image), 2 regions per image per cycle.</summary>
    public static ExperimentDefinition Definition(int epochs = 2, int iterations = 3, int cycles = 1) => new(
        new DatasetOptions { Kind = DatasetKind.Synthetic, Height = 32, Width = 48, PoolSize = 12, ValidationSize = 4, Seed = 5 },
        new ActiveLearningSettings
        {
            Cycles = cycles, EpochsPerCycle = epochs, IterationsPerEpoch = iterations, BatchSize = 2, RegionSize = 8,
            Budget = SelectionBudget.PerImage(2), Network = NetworkKind.Tiny, InitialLabeledShare = 0.25, EvaluationBatchSize = 4,
            Ssl = new() { ColdStartEpochs = 0, ReplayWarmupEpochs = 1 }, Seed = 7,
        });

    public static ExperimentPlan Plan(string runDir, ExperimentDefinition? definition = null, int shardSize = 3, string id = "spec")
    {
        definition ??= Definition();
        return new ExperimentPlan(ExperimentId.Parse(id), runDir, definition.ToJson(), PoolImages: 12, RegionsPerImage: 24,
            LastCycle: definition.Settings.Cycles, ShardSize: shardSize, InitialFullyLabeled: [0, 5, 9], InitialRegions: [], Budget: definition.Settings.Budget, Annotator: definition.Annotator);
    }
}
