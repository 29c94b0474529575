using System.Reflection;
using S4AL.Domain.Experiments;
using static S4AL.Domain.Experiments.ExperimentEvents;
using static S4AL.Domain.Tests.Experiments.Fixtures;

namespace S4AL.Domain.Tests.Experiments;

public class CoordinatorStateTests
{
    /// <summary>
    /// Two experiments journaled in one stream, interleaved: "a" ends in cycle 1 scoring with
    /// a checkpoint, shard results and a finished cycle 0; "b" ends in cycle 0 training.
    /// </summary>
    static (List<IExperimentEvent> Head, List<IExperimentEvent> Tail) TwoExperiments()
    {
        var a = new Journal(Plan("a"));
        a.TrainScoreAcquire([new(3, 1), new(9, 0)]);
        a.Do(s => ExperimentDecisions.Annotate(s, 0));
        a.Do(s => ExperimentDecisions.StartNextCycle(s));
        a.Do(s => ExperimentDecisions.StartAttempt(s));
        a.Do(s => ExperimentDecisions.Checkpoint(s, Checkpoint(1, 100)));
        a.Do(s => ExperimentDecisions.Trained(s, 1, Checkpoint(1, 200, 2), Evaluation(1)));
        a.Do(s => ExperimentDecisions.ShardDone(s, 1, 1, [Candidate(6, 3, 0.25), Candidate(5, 0, 0.75)], 0.5));
        int aHead = a.Events.Count;
        foreach (var shard in a.State.MissingShards()) a.Do(s => ExperimentDecisions.ShardDone(s, 1, shard.Index, [Candidate(shard.Images[0], 1)], 1));
        a.Do(s => ExperimentDecisions.Acquire(s, 1, [new(5, 0)]));
        a.Do(s => ExperimentDecisions.Annotate(s, 1));
        a.Do(s => ExperimentDecisions.StartNextCycle(s));
        a.Do(s => ExperimentDecisions.Trained(s, 2, Checkpoint(2, 10), Evaluation(2)));

        var b = new Journal(Plan("b", pool: 5, regions: 2, lastCycle: 1, shardSize: 2, fully: [], initial: []));
        b.Do(s => ExperimentDecisions.StartAttempt(s));
        b.Do(s => ExperimentDecisions.StartAttempt(s));
        b.Do(s => ExperimentDecisions.Checkpoint(s, Checkpoint(0, 40)));
        int bHead = b.Events.Count;
        b.TrainScoreAcquire([new(4, 1)]);
        b.Do(s => ExperimentDecisions.Annotate(s, 0));
        b.Do(s => ExperimentDecisions.StartNextCycle(s));
        b.Do(s => ExperimentDecisions.Trained(s, 1, Checkpoint(1, 10), Evaluation(1)));

        return (Interleave(a.Events.Take(aHead), b.Events.Take(bHead)), Interleave(a.Events.Skip(aHead), b.Events.Skip(bHead)));
    }

    static List<IExperimentEvent> Interleave(IEnumerable<IExperimentEvent> x, IEnumerable<IExperimentEvent> y)
    {
        var list = new List<IExperimentEvent>();
        using var ex = x.GetEnumerator();
        using var ey = y.GetEnumerator();
        bool more = true;
        while (more)
        {
            more = false;
            if (ex.MoveNext()) { list.Add(ex.Current); more = true; }
            if (ey.MoveNext()) { list.Add(ey.Current); more = true; }
        }
        return list;
    }

    static CoordinatorState Replay(IEnumerable<IExperimentEvent> events, CoordinatorState? from = null) =>
        events.Aggregate(from ?? CoordinatorState.Empty, (s, e) => s.Apply(e));

    static void AssertSame(CoordinatorState expected, CoordinatorState actual)
    {
        Assert.Equal(expected.Experiments.Keys, actual.Experiments.Keys);
        foreach (var (id, e) in expected.Experiments)
        {
            var a = actual.Experiments[id];
            Assert.True(e.Plan.SameExperimentAs(a.Plan));
            Assert.Equal((e.Cycle, e.Attempt, e.Phase), (a.Cycle, a.Attempt, a.Phase));
            Assert.Equal(e.Acquired, a.Acquired);
            Assert.Equal(e.LastCheckpoint, a.LastCheckpoint);
            Assert.Equal(e.Model, a.Model);
            Assert.Equal(e.ScoredShards.Keys, a.ScoredShards.Keys);
            Assert.Equal(e.CycleAcquisition.ToArray(), a.CycleAcquisition.ToArray());
            Assert.Equal(e.History.Select(h => h.Cycle), a.History.Select(h => h.Cycle));
            // Evaluations, shard results and history records hold arrays: compared through their full description.
            Assert.Equal(Describe(e), Describe(a));
        }
    }

    [Fact]
    public void Describe_covers_every_property_of_the_experiment_state()
    {
        // A property added to the state must be added to the comparison, or snapshot tests would miss it.
        var properties = typeof(ExperimentState).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).Order();
        Assert.Equal(DescribedProperties.Order(), properties);
    }

    [Fact]
    public void Experiments_are_kept_apart()
    {
        var (head, _) = TwoExperiments();
        var state = Replay(head);
        Assert.Equal(["a", "b"], state.Experiments.Keys);
        var a = state.Find(ExperimentId.Parse("a"))!;
        var b = state.Find(ExperimentId.Parse("b"))!;
        Assert.Equal((1, 1, CyclePhase.Scoring), (a.Cycle, a.Attempt, a.Phase));
        Assert.Equal((0, 2, CyclePhase.Training), (b.Cycle, b.Attempt, b.Phase));
        Assert.Equal(Checkpoint(0, 40), b.LastCheckpoint);
        Assert.Null(state.Find(ExperimentId.Parse("c")));
    }

    [Fact]
    public void An_experiment_submitted_twice_in_the_journal_throws()
    {
        var state = CoordinatorState.Empty.Apply(new Submitted(Plan()));
        var ex = Assert.Throws<InvalidOperationException>(() => state.Apply(new Submitted(Plan())));
        Assert.Equal("experiment exp-1 submitted twice in the journal", ex.Message);
    }

    [Fact]
    public void An_event_of_an_unknown_experiment_throws()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => CoordinatorState.Empty.Apply(new CycleStarted(ExperimentId.Parse("x"), 0, 1)));
        Assert.Equal("event CycleStarted for unknown experiment x", ex.Message);
    }

    [Fact]
    public void A_snapshot_restores_every_part_of_every_experiment_and_continues_identically()
    {
        var (head, tail) = TwoExperiments();
        var live = Replay(head);
        var restored = CoordinatorState.FromSnapshot(live.ToSnapshot());
        AssertSame(live, restored);

        var a = restored.Find(ExperimentId.Parse("a"))!;
        Assert.Single(a.History);
        Assert.Single(a.ScoredShards);
        Assert.Equal([Candidate(6, 3, 0.25), Candidate(5, 0, 0.75)], a.ScoredShards[1].Candidates);
        Assert.Equal(Checkpoint(1, 200, 2), a.LastCheckpoint);
        Assert.Equal([0, 2], a.MissingShards().Select(s => s.Index));

        var liveEnd = Replay(tail, live);
        var restoredEnd = Replay(tail, restored);
        AssertSame(liveEnd, restoredEnd);
        Assert.All(liveEnd.Experiments.Values, e => Assert.True(e.IsDone));
        AssertSame(liveEnd, Replay(head.Concat(tail)));
    }

    [Fact]
    public void A_snapshot_taken_mid_acquisition_keeps_the_acquisition_order()
    {
        var j = new Journal(Plan());
        RegionId[] order = [new(9, 0), new(3, 1), new(5, 2)];
        j.TrainScoreAcquire(order);
        var live = CoordinatorState.Empty;
        foreach (var e in j.Events) live = live.Apply(e);
        var restored = CoordinatorState.FromSnapshot(live.ToSnapshot());
        AssertSame(live, restored);
        Assert.Equal(order, restored.Find(j.State.Id)!.CycleAcquisition.ToArray());
        Assert.Equal(NextAction.Annotate, ExperimentDecisions.Next(restored.Find(j.State.Id)!));
    }

    [Fact]
    public void An_empty_state_round_trips()
    {
        var restored = CoordinatorState.FromSnapshot(CoordinatorState.Empty.ToSnapshot());
        Assert.Empty(restored.Experiments);
    }
}
