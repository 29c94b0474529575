using S4AL.Domain.Experiments;
using static S4AL.Domain.Experiments.ExperimentEvents;
using static S4AL.Domain.Tests.Experiments.Fixtures;

namespace S4AL.Domain.Tests.Experiments;

/// <summary>The journal keeps each cycle's trace context, so a resumed cycle can link to the trace that was cut off.</summary>
public class CycleTraceTests
{
    const string First = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const string Second = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Fact]
    public void A_cycle_keeps_its_latest_trace_until_the_next_cycle_starts()
    {
        var j = new Journal(Plan());
        Assert.Null(j.State.CycleTraceParent);
        j.Do(s => ExperimentDecisions.Traced(s, First));
        Assert.Equal(First, j.State.CycleTraceParent);
        // The same trace again decides nothing; a new one (a resumed cycle) replaces it.
        Assert.Empty(ExperimentDecisions.Traced(j.State, First).Events);
        j.Do(s => ExperimentDecisions.Traced(s, Second));
        Assert.Equal(Second, j.State.CycleTraceParent);

        j.TrainScoreAcquire([new(3, 1)]);
        Assert.Equal(Second, j.State.CycleTraceParent); // traced in training, still the cycle's trace while annotating
        j.Do(s => ExperimentDecisions.Annotate(s, 0));
        j.Do(s => ExperimentDecisions.StartNextCycle(s));
        Assert.Null(j.State.CycleTraceParent);
        Assert.Equal(Describe(j.State), Describe(Journal.Replay(j.Events)));
    }

    [Fact]
    public void The_status_names_the_current_cycles_trace_id()
    {
        var j = new Journal(Plan());
        Assert.Null(Protocols.CoordinatorProtocol.ExperimentStatus.Of(j.State, null).TraceId);
        j.Do(s => ExperimentDecisions.Traced(s, First));
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", Protocols.CoordinatorProtocol.ExperimentStatus.Of(j.State, null).TraceId);
    }

    [Fact]
    public void The_trace_survives_a_snapshot()
    {
        var j = new Journal(Plan());
        j.Do(s => ExperimentDecisions.Traced(s, First));
        var state = CoordinatorState.Empty.Apply(new Submitted(j.State.Plan)).Apply(new CycleTraced(j.State.Id, 0, First));
        var restored = CoordinatorState.FromSnapshot(state.ToSnapshot());
        Assert.Equal(First, restored.Find(j.State.Id)!.CycleTraceParent);
    }

    [Fact]
    public void A_trace_of_another_cycle_means_a_corrupt_journal()
    {
        var j = new Journal(Plan());
        Assert.Throws<InvalidOperationException>(() => j.State.Apply(new CycleTraced(j.State.Id, 1, First)));
    }
}
