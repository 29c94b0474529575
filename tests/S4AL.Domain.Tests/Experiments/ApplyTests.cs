using S4AL.Domain.Experiments;
using static S4AL.Domain.Experiments.ExperimentEvents;
using static S4AL.Domain.Tests.Experiments.Fixtures;

namespace S4AL.Domain.Tests.Experiments;

/// <summary>An event that cannot follow the state means a corrupt journal: Apply throws instead of guessing.</summary>
public class ApplyTests
{
    static readonly ExperimentId Id = ExperimentId.Parse("exp-1");

    static Journal Through(CyclePhase phase, bool annotated = false)
    {
        var j = new Journal(Plan());
        j.Do(s => ExperimentDecisions.StartAttempt(s));
        if (phase == CyclePhase.Training) return j;
        j.Do(s => ExperimentDecisions.Trained(s, 0, Checkpoint(0, 300), Evaluation(0)));
        if (phase == CyclePhase.Scoring) return j;
        foreach (var shard in j.State.MissingShards()) j.Do(s => ExperimentDecisions.ShardDone(s, 0, shard.Index, [], 1));
        if (phase == CyclePhase.Acquiring) return j;
        j.Do(s => ExperimentDecisions.Acquire(s, 0, [new(3, 1)]));
        if (annotated) j.Do(s => ExperimentDecisions.Annotate(s, 0));
        return j;
    }

    static void Corrupt(ExperimentState s, IExperimentEvent e)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => s.Apply(e));
        Assert.Equal($"event {e.GetType().Name} cannot follow experiment exp-1 in cycle {s.Cycle}, phase {s.Phase}", ex.Message);
    }

    [Fact]
    public void Events_that_cannot_follow_training_throw()
    {
        var s = Through(CyclePhase.Training).State;
        Corrupt(s, new ShardScored(Id, 0, 0, [], 1));
        Corrupt(s, new RegionsAcquired(Id, 0, []));
        Corrupt(s, new RegionsAnnotated(Id, 0));
        Corrupt(s, new CycleStarted(Id, 1, 1));
        Corrupt(s, new CheckpointSaved(Id, Checkpoint(1, 10)));
        Corrupt(s, new CycleTrained(Id, 1, Checkpoint(1, 10), Evaluation(1)));
        Corrupt(s, new Submitted(Plan()));
    }

    [Fact]
    public void Events_that_cannot_follow_scoring_throw()
    {
        var s = Through(CyclePhase.Scoring).State;
        Corrupt(s, new CycleTrained(Id, 0, Checkpoint(0, 10), Evaluation(0)));
        Corrupt(s, new CheckpointSaved(Id, Checkpoint(0, 400)));
        Corrupt(s, new CycleStarted(Id, 0, 2));
        Corrupt(s, new ShardScored(Id, 1, 0, [], 1));
        Corrupt(s, new RegionsAcquired(Id, 0, []));
    }

    [Fact]
    public void Events_that_cannot_follow_acquiring_throw()
    {
        var s = Through(CyclePhase.Acquiring).State;
        Corrupt(s, new ShardScored(Id, 0, 0, [], 1));
        Corrupt(s, new RegionsAnnotated(Id, 0));
        Corrupt(s, new RegionsAcquired(Id, 1, []));
    }

    [Fact]
    public void A_second_annotation_of_a_cycle_throws()
    {
        var s = Through(CyclePhase.Annotating, annotated: true).State;
        Corrupt(s, new RegionsAnnotated(Id, 0));
        Corrupt(s, new RegionsAcquired(Id, 0, []));
    }

    [Fact]
    public void The_next_cycle_cannot_start_before_the_acquisition_is_annotated()
    {
        var s = Through(CyclePhase.Annotating).State;
        Corrupt(s, new CycleStarted(Id, 1, 1));
        var annotated = s.Apply(new RegionsAnnotated(Id, 0));
        Corrupt(annotated, new CycleStarted(Id, 2, 1));
        Assert.Equal(1, annotated.Apply(new CycleStarted(Id, 1, 1)).Cycle);
    }

    [Fact]
    public void Nothing_follows_the_end()
    {
        var j = new Journal(Plan(lastCycle: 0));
        j.Do(s => ExperimentDecisions.StartAttempt(s));
        var done = j.Do(s => ExperimentDecisions.Trained(s, 0, Checkpoint(0, 10), Evaluation(0)));
        Corrupt(done, new CycleStarted(Id, 1, 1));
        Corrupt(done, new CycleStarted(Id, 0, 2));
        Corrupt(done, new ShardScored(Id, 0, 0, [], 1));
    }

    [Fact]
    public void An_event_of_another_experiment_throws()
    {
        var s = Through(CyclePhase.Training).State;
        var ex = Assert.Throws<InvalidOperationException>(() => s.Apply(new CheckpointSaved(ExperimentId.Parse("other"), Checkpoint(0, 10))));
        Assert.Equal("event CheckpointSaved of experiment other applied to experiment exp-1", ex.Message);
    }
}
