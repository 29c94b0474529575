using S4AL.Domain.Experiments;
using static S4AL.Domain.Experiments.ExperimentEvents;
using static S4AL.Domain.Tests.Experiments.Fixtures;

namespace S4AL.Domain.Tests.Experiments;

/// <summary>Duplicates and late messages decide nothing (no events, no refusal), so a retried or delayed report never corrupts the state.</summary>
public class IdempotenceTests
{
    static void Ignored(Decision d)
    {
        Assert.Null(d.Refusal);
        Assert.Empty(d.Events);
    }

    static Journal Training()
    {
        var j = new Journal(Plan());
        j.Do(s => ExperimentDecisions.StartAttempt(s));
        return j;
    }

    static Journal Scoring()
    {
        var j = Training();
        j.Do(s => ExperimentDecisions.Trained(s, 0, Checkpoint(0, 300), Evaluation(0)));
        return j;
    }

    [Fact]
    public void A_checkpoint_not_newer_than_the_last_one_is_ignored()
    {
        var j = Training();
        j.Do(s => ExperimentDecisions.Checkpoint(s, Checkpoint(0, 200)));
        Ignored(ExperimentDecisions.Checkpoint(j.State, Checkpoint(0, 200)));
        Ignored(ExperimentDecisions.Checkpoint(j.State, Checkpoint(0, 199)));
        Assert.Single(ExperimentDecisions.Checkpoint(j.State, Checkpoint(0, 201)).Events);
    }

    [Fact]
    public void A_checkpoint_of_another_cycle_or_after_training_is_ignored()
    {
        var j = Training();
        Ignored(ExperimentDecisions.Checkpoint(j.State, Checkpoint(1, 500)));
        j.Do(s => ExperimentDecisions.Trained(s, 0, Checkpoint(0, 300), Evaluation(0)));
        Ignored(ExperimentDecisions.Checkpoint(j.State, Checkpoint(0, 400)));
        Assert.Equal(Checkpoint(0, 300), j.State.LastCheckpoint);
    }

    [Fact]
    public void A_training_report_of_another_cycle_or_a_second_one_is_ignored()
    {
        var j = Training();
        Ignored(ExperimentDecisions.Trained(j.State, 1, Checkpoint(1, 300), Evaluation(1)));
        // The model must come from the reported cycle.
        Ignored(ExperimentDecisions.Trained(j.State, 0, Checkpoint(1, 300), Evaluation(0)));
        j.Do(s => ExperimentDecisions.Trained(s, 0, Checkpoint(0, 300), Evaluation(0)));
        Ignored(ExperimentDecisions.Trained(j.State, 0, Checkpoint(0, 301), Evaluation(0)));
        Assert.Equal(Checkpoint(0, 300), j.State.Model);
    }

    [Fact]
    public void A_late_training_report_of_an_old_cycle_is_ignored_while_the_next_cycle_trains()
    {
        var j = new Journal(Plan());
        j.TrainScoreAcquire([new(3, 1)]);
        j.Do(s => ExperimentDecisions.Annotate(s, 0));
        j.Do(s => ExperimentDecisions.StartNextCycle(s));
        Assert.Equal((1, CyclePhase.Training), (j.State.Cycle, j.State.Phase));
        Ignored(ExperimentDecisions.Trained(j.State, 0, Checkpoint(0, 900), Evaluation(0)));
        Ignored(ExperimentDecisions.Checkpoint(j.State, Checkpoint(0, 900)));
        Assert.Null(j.State.Model);
        Assert.Null(j.State.LastCheckpoint);
    }

    [Fact]
    public void A_shard_reported_twice_keeps_its_first_result()
    {
        var j = Scoring();
        j.Do(s => ExperimentDecisions.ShardDone(s, 0, 1, [Candidate(5, 1, 0.9)], 2.0));
        Ignored(ExperimentDecisions.ShardDone(j.State, 0, 1, [Candidate(6, 1, 0.3)], 7.0));
        Assert.Equal([Candidate(5, 1, 0.9)], j.State.ScoredShards[1].Candidates);
        Assert.Equal(2.0, j.State.ScoredShards[1].Seconds);
    }

    [Fact]
    public void A_shard_of_another_cycle_or_outside_scoring_is_ignored()
    {
        var j = Training();
        Ignored(ExperimentDecisions.ShardDone(j.State, 0, 0, [Candidate(3, 1)], 1));
        j.Do(s => ExperimentDecisions.Trained(s, 0, Checkpoint(0, 300), Evaluation(0)));
        Ignored(ExperimentDecisions.ShardDone(j.State, 1, 0, [Candidate(3, 1)], 1));
        Ignored(ExperimentDecisions.ShardDone(j.State, -1, 0, [Candidate(3, 1)], 1));
        Assert.Empty(j.State.ScoredShards);
    }

    [Fact]
    public void An_acquisition_is_decided_once_and_only_for_the_current_cycle()
    {
        var j = Scoring();
        Ignored(ExperimentDecisions.Acquire(j.State, 0, [new(3, 1)]));
        foreach (var shard in j.State.MissingShards()) j.Do(s => ExperimentDecisions.ShardDone(s, 0, shard.Index, [], 1));
        Ignored(ExperimentDecisions.Acquire(j.State, 1, [new(3, 1)]));
        j.Do(s => ExperimentDecisions.Acquire(s, 0, [new(3, 1)]));
        Ignored(ExperimentDecisions.Acquire(j.State, 0, [new(3, 2)]));
        Assert.Equal([new RegionId(3, 1)], j.State.CycleAcquisition.ToArray());
    }

    [Fact]
    public void Annotate_and_start_next_cycle_are_decided_only_when_due()
    {
        var j = Scoring();
        Ignored(ExperimentDecisions.Annotate(j.State, 0));
        Ignored(ExperimentDecisions.StartNextCycle(j.State));
        foreach (var shard in j.State.MissingShards()) j.Do(s => ExperimentDecisions.ShardDone(s, 0, shard.Index, [], 1));
        Ignored(ExperimentDecisions.Annotate(j.State, 0));
        j.Do(s => ExperimentDecisions.Acquire(s, 0, [new(3, 1)]));
        Ignored(ExperimentDecisions.StartNextCycle(j.State));
        Ignored(ExperimentDecisions.Annotate(j.State, 1));
        j.Do(s => ExperimentDecisions.Annotate(s, 0));
        Ignored(ExperimentDecisions.Annotate(j.State, 0));
        j.Do(s => ExperimentDecisions.StartNextCycle(s));
        Ignored(ExperimentDecisions.StartNextCycle(j.State));
        Assert.Equal(1, j.State.Cycle);
        Assert.Single(j.State.History);
    }

    [Fact]
    public void Start_attempt_is_decided_only_while_training()
    {
        var j = Scoring();
        Ignored(ExperimentDecisions.StartAttempt(j.State));
    }

    [Fact]
    public void Each_start_of_a_cycle_is_a_new_attempt_that_keeps_the_last_checkpoint()
    {
        var j = Training();
        Assert.Equal(1, j.State.Attempt);
        j.Do(s => ExperimentDecisions.Checkpoint(s, Checkpoint(0, 200)));
        j.Do(s => ExperimentDecisions.StartAttempt(s));
        Assert.Equal(new CycleStarted(j.State.Id, 0, 2), j.Events[^1]);
        j.Do(s => ExperimentDecisions.StartAttempt(s));
        Assert.Equal((0, 3, CyclePhase.Training), (j.State.Cycle, j.State.Attempt, j.State.Phase));
        // The restarted trainer resumes from it, so a restart must not forget it.
        Assert.Equal(Checkpoint(0, 200), j.State.LastCheckpoint);
        // A checkpoint of the crashed attempt that arrives late is still not older than the last one: ignored.
        Ignored(ExperimentDecisions.Checkpoint(j.State, Checkpoint(0, 150)));
    }

    [Fact]
    public void A_new_cycle_starts_with_no_attempt_and_its_first_one_is_attempt_one()
    {
        var j = Training();
        j.Do(s => ExperimentDecisions.StartAttempt(s));
        j.TrainScoreAcquire([]);
        Assert.Equal(3, j.State.Attempt);
        j.Do(s => ExperimentDecisions.Annotate(s, 0));
        j.Do(s => ExperimentDecisions.StartNextCycle(s));
        Assert.Equal((1, 0), (j.State.Cycle, j.State.Attempt));
        // No trainer had it yet (e.g. it waited in the queue when the coordinator stopped): nothing was interrupted.
        Assert.Equal<IExperimentEvent>([new CycleStarted(j.State.Id, 1, 1)], ExperimentDecisions.StartAttempt(j.State).Events);
    }

    [Fact]
    public void Submitting_the_same_plan_again_decides_nothing()
    {
        var plan = Plan();
        var j = new Journal(plan);
        j.TrainScoreAcquire([new(3, 1)]);
        // Equal content in new arrays: the same experiment.
        Ignored(ExperimentDecisions.Submit(j.State, Plan()));
        Ignored(ExperimentDecisions.Submit(j.State, plan));
    }
}
