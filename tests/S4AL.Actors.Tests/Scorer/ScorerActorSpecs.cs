using Akka.Actor;
using S4AL.Actors.Scorer;
using S4AL.Actors.Telemetry;
using S4AL.Actors.Tests.Support;
using S4AL.Actors.Workspace;
using S4AL.Domain;
using S4AL.Domain.Experiments;
using S4AL.Learning.Acquisition;
using S4AL.Learning.ActiveLearning;
using S4AL.Learning.Data.Batches;
using S4AL.Learning.Data.Regions;
using static S4AL.Domain.Protocols.CoordinatorProtocol;
using static S4AL.Domain.Protocols.ScorerProtocol;
using static TorchSharp.torch;

namespace S4AL.Actors.Tests.Scorer;

public class ScorerActorSpecs() : Akka.TestKit.Xunit2.TestKit(ActorSpecConfig.Config)
{
    static readonly TimeSpan Long = TimeSpan.FromMinutes(2);

    SingleThread? _singleThread;

    protected override void Dispose(bool disposing)
    {
        // After the actor system: nothing of the spec runs libtorch any more.
        base.Dispose(disposing);
        if (disposing) _singleThread?.Dispose();
    }

    /// <summary>A trained (one step) cycle-0 checkpoint of the spec experiment.</summary>
    (CheckpointRef Model, OpenedDatasets Data, LabeledRegionSet Labeled) TrainedModel(string dir)
    {
        _singleThread ??= new SingleThread();
        var definition = ActorSpecConfig.Definition(epochs: 1, iterations: 1);
        var data = new DatasetCache().Get(definition.ToJson(), "spec");
        var labeled = LabeledRegionSet.Empty(data.Pool.Count, data.Grid).WithFullyLabeled([0, 5, 9]).WithRegions([new RegionId(1, 3), new RegionId(2, 0)]);
        using var run = new CycleTrainingRun(data.Pool, data.Settings, CPU, 0, 1, labeled);
        run.RunToEnd();
        var info = run.SaveCheckpoint(Path.Combine(dir, "model.s4ckpt"));
        return (new CheckpointRef(info.Path, info.Id, 0, 1, 1), data, labeled);
    }

    [Fact]
    public void Returns_the_shards_best_regions_exactly_as_the_engine_scores_them()
    {
        using var spans = new RecordedSpans();
        var dir = ActorSpecConfig.TempDir("scorer");
        var (model, data, labeled) = TrainedModel(dir);
        int[] images = [1, 2, 3];
        var scorer = Sys.ActorOf(Props.Create(() => new ScorerActor(new ShardScoring(new DatasetCache(), new ScorerOptions()), new ScorerOptions())));
        scorer.Tell(new ScoreShard(ExperimentId.Parse("spec"), data.Definition.ToJson(), 0, 4, images, [new RegionId(1, 3), new RegionId(2, 0)], model, null));
        var result = ExpectMsg<ReportShardScored>(Long);
        Assert.Equal(4, result.Shard);
        // The shard's span has ended when its result arrives: the coordinator may end the cycle's trace once it has every shard.
        Assert.Single(spans.Snapshot(), s => s.DisplayName == "score shard" && RecordedSpans.Tag(s, S4alTelemetry.Tags.Shard) == "4");

        using var network = CycleTrainingRun.LoadNetwork(model.Path, model.Sha256, data.Settings, data.Pool.NumClasses, data.Settings.Scorer, CPU);
        var expected = new RegionScorer(network, data.Settings.ScoringSettings(), CPU)
            .ScoreShard(0, images, labeled, indices => BatchBuilder.Build(data.Pool, indices, null, CPU));
        Assert.Equal(expected.Select(r => (r.Image, r.Region, (double)r.Score)), result.Candidates.Select(c => (c.Image, c.Region, c.Score)));
        Assert.Equal(2 * images.Length, result.Candidates.Length); // per-image top-2
        Assert.DoesNotContain(result.Candidates, c => c.Image == 1 && c.Region == 3);
    }

    [Fact]
    public void Orders_wait_while_a_shard_is_scored_and_a_bad_checkpoint_fails_the_shard_by_name()
    {
        var dir = ActorSpecConfig.TempDir("scorer-bad");
        var (model, data, _) = TrainedModel(dir);
        var scorer = Sys.ActorOf(Props.Create(() => new ScorerActor(new ShardScoring(new DatasetCache(), new ScorerOptions()), new ScorerOptions())));
        var definition = data.Definition.ToJson();
        scorer.Tell(new ScoreShard(ExperimentId.Parse("spec"), definition, 0, 0, [1, 2], [], model, null));
        scorer.Tell(new ScoreShard(ExperimentId.Parse("spec"), definition, 0, 1, [3, 4], [], model with { Sha256 = "ab" }, null));
        Assert.Equal(0, ExpectMsg<ReportShardScored>(Long).Shard);
        var failed = ExpectMsg<ReportShardFailed>(Long);
        Assert.Equal(1, failed.Shard);
        Assert.Contains("model.s4ckpt", failed.Error);
    }
}
