using MessagePack;

namespace S4AL.Domain.Experiments;

/// <summary>A fact in the coordinator's journal; replaying them in order rebuilds every experiment.</summary>
public interface IExperimentEvent : IS4alMessage
{
    ExperimentId Experiment { get; }
}

/// <summary>The journal's events. Each names its experiment and cycle, so applying one twice is detectable.</summary>
public static class ExperimentEvents
{
    [MessagePackObject]
    public sealed record Submitted([property: Key(0)] ExperimentPlan Plan) : IExperimentEvent
    {
        [IgnoreMember] public ExperimentId Experiment => Plan.Id;
    }

    /// <summary>Training of <paramref name="Cycle"/> begins (or begins again: <paramref name="Attempt"/> counts restarts of the cycle).</summary>
    [MessagePackObject]
    public sealed record CycleStarted([property: Key(0)] ExperimentId Experiment, [property: Key(1)] int Cycle, [property: Key(2)] int Attempt) : IExperimentEvent;

    /// <summary>
    /// The W3C trace context of <paramref name="Cycle"/>'s trace (OpenTelemetry). Persisted only so that a
    /// cycle resumed by another coordinator incarnation can link its new trace to the one that was cut off.
    /// </summary>
    [MessagePackObject]
    public sealed record CycleTraced([property: Key(0)] ExperimentId Experiment, [property: Key(1)] int Cycle, [property: Key(2)] string TraceParent) : IExperimentEvent;

    /// <summary>
    /// Training attempt <paramref name="Attempt"/> of <paramref name="Cycle"/> ended without a trained
    /// network: the trainer reported an error, the trainer left the cluster, or the coordinator
    /// stopped while it ran (found when the next attempt starts). Kept so that status, results and
    /// traces show how many attempts each cycle needed and why.
    /// </summary>
    [MessagePackObject]
    public sealed record TrainingAttemptFailed([property: Key(0)] ExperimentId Experiment, [property: Key(1)] int Cycle, [property: Key(2)] int Attempt, [property: Key(3)] string Reason) : IExperimentEvent;

    [MessagePackObject]
    public sealed record CheckpointSaved([property: Key(0)] ExperimentId Experiment, [property: Key(1)] CheckpointRef Checkpoint) : IExperimentEvent;

    /// <summary>Training ended: the final model and its validation evaluation.</summary>
    [MessagePackObject]
    public sealed record CycleTrained(
        [property: Key(0)] ExperimentId Experiment,
        [property: Key(1)] int Cycle,
        [property: Key(2)] CheckpointRef Model,
        [property: Key(3)] CycleEvaluation Evaluation) : IExperimentEvent;

    [MessagePackObject]
    public sealed record ShardScored(
        [property: Key(0)] ExperimentId Experiment,
        [property: Key(1)] int Cycle,
        [property: Key(2)] int Shard,
        [property: Key(3)] RegionCandidate[] Candidates,
        [property: Key(4)] double Seconds) : IExperimentEvent;

    /// <summary>The cycle's acquisition, in selection order; never re-decided once persisted.</summary>
    [MessagePackObject]
    public sealed record RegionsAcquired([property: Key(0)] ExperimentId Experiment, [property: Key(1)] int Cycle, [property: Key(2)] RegionId[] Regions) : IExperimentEvent;

    /// <summary>
    /// One queried region's label (human annotator), already in the run folder's label store:
    /// <paramref name="Sha256"/> is the hash of the stored region mask. A second event for the
    /// same region with another hash is a correction (the latest wins).
    /// </summary>
    [MessagePackObject]
    public sealed record RegionLabeled(
        [property: Key(0)] ExperimentId Experiment,
        [property: Key(1)] int Cycle,
        [property: Key(2)] RegionId Region,
        [property: Key(3)] RegionLabel Label) : IExperimentEvent;

    /// <summary>The annotation round of <paramref name="Cycle"/> ended early: regions without a label go back to the pool.</summary>
    [MessagePackObject]
    public sealed record AnnotationClosed([property: Key(0)] ExperimentId Experiment, [property: Key(1)] int Cycle) : IExperimentEvent;

    /// <summary>The acquired regions' labels are available (revealed by the oracle, or every region labeled or the round closed).</summary>
    [MessagePackObject]
    public sealed record RegionsAnnotated([property: Key(0)] ExperimentId Experiment, [property: Key(1)] int Cycle) : IExperimentEvent;

    /// <summary>
    /// The experiment's starting labeled set, copied from the final labeled set of
    /// <paramref name="From"/> once that experiment was done (<see cref="ExperimentPlan.LabeledSetFrom"/>):
    /// its fully labeled images and its labeled regions.
    /// </summary>
    [MessagePackObject]
    public sealed record LabeledSetInherited(
        [property: Key(0)] ExperimentId Experiment,
        [property: Key(1)] ExperimentId From,
        [property: Key(2)] int[] FullyLabeled,
        [property: Key(3)] RegionId[] Regions) : IExperimentEvent;
}
