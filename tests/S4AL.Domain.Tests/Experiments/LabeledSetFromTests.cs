using S4AL.Domain.Experiments;
using static S4AL.Domain.Experiments.ExperimentEvents;
using static S4AL.Domain.Tests.Experiments.Fixtures;

namespace S4AL.Domain.Tests.Experiments;

/// <summary>An experiment that starts from another's final labeled set (a sweep's supervised baseline): it waits, then inherits exactly that set.</summary>
public class LabeledSetFromTests
{
    static ExperimentPlan Dependent(string from = "exp-1", int pool = 10, int regions = 4) =>
        Plan("exp-2", pool: pool, regions: regions, lastCycle: 0, fully: [], initial: []) with { LabeledSetFrom = ExperimentId.Parse(from) };

    /// <summary>exp-1 (the fixture plan) through all its cycles, acquiring 3 regions per cycle.</summary>
    static ExperimentState Finished()
    {
        var j = new Journal(Plan());
        j.TrainScoreAcquire([new(3, 1), new(5, 2), new(9, 0)]);
        j.Do(ExperimentDecisions.Progress);
        j.Do(ExperimentDecisions.Progress);
        j.TrainScoreAcquire([new(6, 3), new(0, 2), new(8, 1)]);
        j.Do(ExperimentDecisions.Progress);
        j.Do(ExperimentDecisions.Progress);
        j.Do(s => ExperimentDecisions.StartAttempt(s));
        var done = j.Do(s => ExperimentDecisions.Trained(s, 2, Checkpoint(2, 900, 5), Evaluation(2)));
        Assert.True(done.IsDone);
        return done;
    }

    [Fact]
    public void It_waits_until_the_other_experiment_is_done_then_trains_on_exactly_its_labeled_set()
    {
        var j = new Journal(Dependent());
        Assert.Equal((CyclePhase.Waiting, NextAction.Inherit), (j.State.Phase, ExperimentDecisions.Next(j.State)));
        Assert.Equal(Decision.None, ExperimentDecisions.Inherit(j.State, null));
        var running = new Journal(Plan());
        Assert.Equal(Decision.None, ExperimentDecisions.Inherit(j.State, running.State));
        Assert.Equal(Decision.None, ExperimentDecisions.StartAttempt(j.State));

        var source = Finished();
        var s = j.Do(x => ExperimentDecisions.Inherit(x, source));
        Assert.Equal((CyclePhase.Training, NextAction.Train), (s.Phase, ExperimentDecisions.Next(s)));
        Assert.Equal(source.LabeledSet().Bits, s.LabeledSet().Bits);
        Assert.Equal(source.Plan.InitialFullyLabeled, s.Plan.InitialFullyLabeled);
        Assert.Equal(8, s.Acquired.Count);
        // Once inherited, nothing more to inherit; the journal replays to the same state.
        Assert.Equal(Decision.None, ExperimentDecisions.Inherit(s, source));
        Assert.Equal(Describe(s), Describe(Journal.Replay(j.Events)));
    }

    [Fact]
    public void Resubmitting_it_after_the_inheritance_is_the_same_experiment_and_other_settings_are_refused()
    {
        var j = new Journal(Dependent());
        j.Do(x => ExperimentDecisions.Inherit(x, Finished()));
        Assert.Equal(Decision.None, ExperimentDecisions.Submit(j.State, Dependent()));
        var other = ExperimentDecisions.Submit(j.State, Dependent(from: "exp-9"));
        Assert.Contains("labeled set from exp-1 vs exp-9", other.Refusal);
        Assert.Contains("labeled set from", ExperimentDecisions.Submit(j.State, Dependent() with { LabeledSetFrom = null, InitialFullyLabeled = [1] }).Refusal);
    }

    [Fact]
    public void A_pool_of_another_shape_is_refused_naming_both()
    {
        var j = new Journal(Dependent(pool: 12));
        var refused = ExperimentDecisions.Inherit(j.State, Finished());
        Assert.Equal("experiment exp-2 cannot start from the labeled set of exp-1: its pool has 12 images of 4 regions, that one 10 of 4", refused.Refusal);
    }

    [Theory]
    [InlineData("exp-2", "names the experiment itself")]
    public void A_plan_depending_on_itself_is_refused(string from, string message) =>
        Assert.Contains(message, ExperimentDecisions.Submit(null, Dependent(from)).Refusal);

    [Fact]
    public void A_plan_with_its_own_initial_set_and_a_dependency_is_refused() =>
        Assert.Contains("must be empty", ExperimentDecisions.Submit(null, Dependent() with { InitialFullyLabeled = [2] }).Refusal);

    [Fact]
    public void An_inheritance_before_the_other_experiment_ends_or_from_another_one_cannot_be_applied()
    {
        var s = ExperimentState.Submit(Dependent());
        Assert.Throws<InvalidOperationException>(() => s.Apply(new LabeledSetInherited(s.Id, ExperimentId.Parse("exp-7"), [1], [])));
        var started = s.Apply(new LabeledSetInherited(s.Id, ExperimentId.Parse("exp-1"), [1], [new(0, 1)]));
        Assert.Throws<InvalidOperationException>(() => started.Apply(new LabeledSetInherited(s.Id, ExperimentId.Parse("exp-1"), [1], [])));
    }
}
