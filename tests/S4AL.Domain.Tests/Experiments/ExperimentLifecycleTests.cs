using System.Collections.Immutable;
using S4AL.Domain.Experiments;
using static S4AL.Domain.Experiments.ExperimentEvents;
using static S4AL.Domain.Tests.Experiments.Fixtures;

namespace S4AL.Domain.Tests.Experiments;

public class ExperimentLifecycleTests
{
    static int[][] Images(ImmutableArray<PoolShard> shards) => shards.Select(s => s.Images.ToArray()).ToArray();

    [Fact]
    public void Three_cycles_go_through_every_phase_in_order_and_end_done()
    {
        var j = new Journal(Plan());
        var s = j.State;
        Assert.Equal((0, 0, CyclePhase.Training, NextAction.Train), (s.Cycle, s.Attempt, s.Phase, ExperimentDecisions.Next(s)));
        Assert.Equal([new(0, 0), new(2, 3)], s.Acquired);
        Assert.Empty(s.MissingShards());
        Assert.False(s.IsDone);

        // Cycle 0: start, two checkpoints, trained.
        s = j.Do(x => ExperimentDecisions.StartAttempt(x));
        Assert.Equal((0, 1, CyclePhase.Training), (s.Cycle, s.Attempt, s.Phase));
        s = j.Do(x => ExperimentDecisions.Checkpoint(x, Checkpoint(0, 100)));
        s = j.Do(x => ExperimentDecisions.Checkpoint(x, Checkpoint(0, 200)));
        Assert.Equal(Checkpoint(0, 200), s.LastCheckpoint);
        Assert.Equal(NextAction.Train, ExperimentDecisions.Next(s));

        s = j.Do(x => ExperimentDecisions.Trained(x, 0, Checkpoint(0, 300, 3), Evaluation(0)));
        Assert.Equal((CyclePhase.Scoring, NextAction.Score), (s.Phase, ExperimentDecisions.Next(s)));
        Assert.Equal(Checkpoint(0, 300, 3), s.Model);
        Assert.Equal(Checkpoint(0, 300, 3), s.LastCheckpoint);
        Assert.Same(j.Events[^1] is CycleTrained t ? t.Evaluation : null, s.Evaluation);
        // Images 1 and 4 are fully labeled: never scored.
        Assert.Equal([[0, 2, 3], [5, 6, 7], [8, 9]], Images(s.Shards()));
        Assert.Equal([0, 1, 2], s.Shards().Select(x => x.Index));
        Assert.Equal([0, 1, 2], s.MissingShards().Select(x => x.Index));

        // Shards arrive in any order; the phase changes only with the last one.
        s = j.Do(x => ExperimentDecisions.ShardDone(x, 0, 1, [Candidate(5, 1, 0.9), Candidate(7, 2, 0.4)], 2.0));
        Assert.Equal(CyclePhase.Scoring, s.Phase);
        Assert.Equal([0, 2], s.MissingShards().Select(x => x.Index));
        s = j.Do(x => ExperimentDecisions.ShardDone(x, 0, 2, [Candidate(9, 3, 0.8)], 1.0));
        Assert.Equal([0], s.MissingShards().Select(x => x.Index));
        s = j.Do(x => ExperimentDecisions.ShardDone(x, 0, 0, [Candidate(3, 0, 0.7), Candidate(0, 1, 0.1)], 0.5));
        Assert.Equal((CyclePhase.Acquiring, NextAction.Acquire), (s.Phase, ExperimentDecisions.Next(s)));
        Assert.Empty(s.MissingShards());
        Assert.Equal([0, 1, 2], s.ScoredShards.Keys);

        RegionId[] first = [new(5, 1), new(9, 3), new(3, 0)];
        s = j.Do(x => ExperimentDecisions.Acquire(x, 0, first));
        Assert.Equal((CyclePhase.Annotating, NextAction.Annotate), (s.Phase, ExperimentDecisions.Next(s)));
        Assert.Equal(first, s.CycleAcquisition.ToArray());
        Assert.Equal([new(0, 0), new(2, 3), new(3, 0), new(5, 1), new(9, 3)], s.Acquired);
        Assert.Empty(s.History);

        s = j.Do(x => ExperimentDecisions.Annotate(x, 0));
        Assert.Equal((CyclePhase.Annotating, NextAction.StartNextCycle), (s.Phase, ExperimentDecisions.Next(s)));
        var record = Assert.Single(s.History);
        Assert.Equal((0, Checkpoint(0, 300, 3), 3.5), (record.Cycle, record.Model, record.ScoreSeconds));
        Assert.Equal(first, record.Acquired);
        Assert.Equal(Evaluation(0).Confusion, record.Evaluation.Confusion);

        // Cycle 1 starts clean but keeps every acquired region.
        s = j.Do(x => ExperimentDecisions.StartNextCycle(x));
        Assert.Equal(new CycleStarted(s.Id, 1, 0), j.Events[^1]);
        Assert.Equal((1, 0, CyclePhase.Training, NextAction.Train), (s.Cycle, s.Attempt, s.Phase, ExperimentDecisions.Next(s)));
        Assert.Null(s.LastCheckpoint);
        Assert.Null(s.Model);
        Assert.Null(s.Evaluation);
        Assert.Empty(s.ScoredShards);
        Assert.Empty(s.CycleAcquisition.ToArray());
        Assert.Equal(5, s.Acquired.Count);
        // A fully acquired image is still scored: only fully labeled images leave the pool.
        Assert.Equal([[0, 2, 3], [5, 6, 7], [8, 9]], Images(s.Shards()));

        RegionId[] second = [new(8, 0), new(0, 3)];
        j.Do(x => ExperimentDecisions.Checkpoint(x, Checkpoint(1, 50)));
        j.Do(x => ExperimentDecisions.Trained(x, 1, Checkpoint(1, 400, 4), Evaluation(1)));
        foreach (var shard in j.State.MissingShards())
            j.Do(x => ExperimentDecisions.ShardDone(x, 1, shard.Index, [Candidate(shard.Images[^1], 2)], 1.25));
        j.Do(x => ExperimentDecisions.Acquire(x, 1, second));
        j.Do(x => ExperimentDecisions.Annotate(x, 1));
        s = j.Do(x => ExperimentDecisions.StartNextCycle(x));
        Assert.Equal((2, 0, CyclePhase.Training), (s.Cycle, s.Attempt, s.Phase));
        Assert.Equal(2, s.History.Count);
        Assert.Equal(3.75, s.History[1].ScoreSeconds);
        Assert.Equal(second, s.History[1].Acquired);

        // The last cycle ends with training: nothing is scored or acquired after it.
        s = j.Do(x => ExperimentDecisions.Trained(x, 2, Checkpoint(2, 600, 6), Evaluation(2)));
        Assert.Equal((CyclePhase.Done, NextAction.None, true), (s.Phase, ExperimentDecisions.Next(s), s.IsDone));
        Assert.Equal([0, 1, 2], s.History.Select(h => h.Cycle));
        Assert.Empty(s.History[2].Acquired);
        Assert.Equal(0, s.History[2].ScoreSeconds);
        Assert.Equal(Checkpoint(2, 600, 6), s.History[2].Model);
        Assert.Empty(s.MissingShards());
        Assert.Equal(7, s.Acquired.Count);

        // Nothing is due once done.
        Assert.Empty(ExperimentDecisions.StartAttempt(s).Events);
        Assert.Empty(ExperimentDecisions.StartNextCycle(s).Events);
        Assert.Empty(ExperimentDecisions.Annotate(s, 2).Events);
        Assert.Empty(ExperimentDecisions.Trained(s, 2, Checkpoint(2, 700), Evaluation(2)).Events);

        Assert.Equal(Describe(s), Describe(Journal.Replay(j.Events)));
    }

    [Fact]
    public void A_pool_without_unlabeled_images_goes_from_training_straight_to_an_empty_acquisition()
    {
        var j = new Journal(Plan(pool: 3, fully: [0, 1, 2], initial: [], lastCycle: 1));
        Assert.Empty(j.State.Shards());
        j.Do(x => ExperimentDecisions.StartAttempt(x));
        var s = j.Do(x => ExperimentDecisions.Trained(x, 0, Checkpoint(0, 10), Evaluation(0)));
        Assert.Equal((CyclePhase.Acquiring, NextAction.Acquire), (s.Phase, ExperimentDecisions.Next(s)));
        Assert.Empty(s.MissingShards());

        Assert.Contains("already labeled", ExperimentDecisions.Acquire(s, 0, [new(2, 0)]).Refusal);
        s = j.Do(x => ExperimentDecisions.Acquire(x, 0, []));
        Assert.Equal(CyclePhase.Annotating, s.Phase);
        s = j.Do(x => ExperimentDecisions.Annotate(x, 0));
        Assert.Empty(s.History[0].Acquired);
        Assert.Equal(0, s.History[0].ScoreSeconds);
        j.Do(x => ExperimentDecisions.StartNextCycle(x));
        s = j.Do(x => ExperimentDecisions.Trained(x, 1, Checkpoint(1, 10), Evaluation(1)));
        Assert.True(s.IsDone);
    }

    [Fact]
    public void An_experiment_of_one_cycle_is_done_after_its_training()
    {
        var j = new Journal(Plan(lastCycle: 0));
        j.Do(x => ExperimentDecisions.StartAttempt(x));
        var s = j.Do(x => ExperimentDecisions.Trained(x, 0, Checkpoint(0, 10), Evaluation(0)));
        Assert.True(s.IsDone);
        Assert.Equal(0, Assert.Single(s.History).Cycle);
    }

    [Theory]
    [InlineData(10, 1, new int[0], 10)]
    [InlineData(10, 10, new int[0], 1)]
    [InlineData(10, 100, new[] { 3 }, 1)]
    [InlineData(7, 2, new[] { 0, 6 }, 3)]
    public void Shards_partition_the_images_not_fully_labeled_in_order(int pool, int shardSize, int[] fully, int expectedShards)
    {
        var s = ExperimentState.Submit(Plan(pool: pool, shardSize: shardSize, fully: fully, initial: []));
        var shards = s.Shards();
        Assert.Equal(expectedShards, shards.Length);
        Assert.Equal(Enumerable.Range(0, shards.Length), shards.Select(x => x.Index));
        Assert.Equal(Enumerable.Range(0, pool).Except(fully), shards.SelectMany(x => x.Images));
        Assert.All(shards.SkipLast(1), x => Assert.Equal(shardSize, x.Images.Length));
        Assert.InRange(shards[^1].Images.Length, 1, shardSize);
    }

    [Fact]
    public void The_labeled_set_sent_to_trainers_holds_the_fully_labeled_images_and_every_acquired_region()
    {
        var j = new Journal(Plan());
        j.TrainScoreAcquire([new(6, 2), new(3, 1)]);
        var bits = j.State.LabeledSet();
        Assert.Equal((10, 4), (bits.Images, bits.RegionsPerImage));
        Assert.Equal([1, 4], bits.FullyLabeled);
        Assert.Equal([new(0, 0), new(2, 3), new(3, 1), new(6, 2)], bits.Acquired());
    }
}
