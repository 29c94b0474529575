namespace S4AL.Domain.Experiments;

/// <summary>Where a cycle stands. A restarted coordinator resumes the phase it finds in the journal.</summary>
public enum CyclePhase
{
    /// <summary>A trainer trains the cycle's network (from the last reported checkpoint after a restart).</summary>
    Training,
    /// <summary>Scorers score the pool shards; results are persisted shard by shard.</summary>
    Scoring,
    /// <summary>Every shard is in: the coordinator merges them into the cycle's acquisition.</summary>
    Acquiring,
    /// <summary>The acquired regions wait for their labels (the oracle reveals them at once).</summary>
    Annotating,
    /// <summary>The experiment has finished its last cycle.</summary>
    Done,
    /// <summary>
    /// Before cycle 0: the experiment starts from the final labeled set of another experiment
    /// (<see cref="ExperimentPlan.LabeledSetFrom"/>) and waits until that one is done.
    /// </summary>
    Waiting,
}
