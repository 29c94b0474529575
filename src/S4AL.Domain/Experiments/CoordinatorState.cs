using System.Collections.Immutable;
using MessagePack;
using static S4AL.Domain.Experiments.ExperimentEvents;

namespace S4AL.Domain.Experiments;

/// <summary>Every experiment the coordinator knows, rebuilt from its journal (and snapshots).</summary>
public sealed record CoordinatorState
{
    public static CoordinatorState Empty { get; } = new();

    public ImmutableSortedDictionary<string, ExperimentState> Experiments { get; init; } = ImmutableSortedDictionary<string, ExperimentState>.Empty;

    public ExperimentState? Find(ExperimentId id) => Experiments.GetValueOrDefault(id.Value);

    public CoordinatorState Apply(IExperimentEvent e)
    {
        if (e is Submitted s)
        {
            if (Experiments.ContainsKey(s.Plan.Id.Value)) throw new InvalidOperationException($"experiment {s.Plan.Id} submitted twice in the journal");
            return this with { Experiments = Experiments.Add(s.Plan.Id.Value, ExperimentState.Submit(s.Plan)) };
        }
        var state = Find(e.Experiment) ?? throw new InvalidOperationException($"event {e.GetType().Name} for unknown experiment {e.Experiment}");
        return this with { Experiments = Experiments.SetItem(e.Experiment.Value, state.Apply(e)) };
    }

    public CoordinatorSnapshot ToSnapshot() => new(Experiments.Values.Select(ExperimentSnapshot.From).ToArray());

    public static CoordinatorState FromSnapshot(CoordinatorSnapshot snapshot) => new()
    {
        Experiments = snapshot.Experiments.Select(x => x.ToState()).ToImmutableSortedDictionary(x => x.Id.Value, x => x),
    };
}

/// <summary>The coordinator's snapshot: plain arrays, so the wire format does not depend on immutable-collection support.</summary>
[MessagePackObject]
public sealed record CoordinatorSnapshot([property: Key(0)] ExperimentSnapshot[] Experiments) : IS4alMessage;

[MessagePackObject]
public sealed record ExperimentSnapshot(
    [property: Key(0)] ExperimentPlan Plan,
    [property: Key(1)] int Cycle,
    [property: Key(2)] int Attempt,
    [property: Key(3)] CyclePhase Phase,
    [property: Key(4)] RegionId[] Acquired,
    [property: Key(5)] CheckpointRef? LastCheckpoint,
    [property: Key(6)] CheckpointRef? Model,
    [property: Key(7)] CycleEvaluation? Evaluation,
    [property: Key(8)] ShardScored[] ScoredShards,
    [property: Key(9)] RegionId[] CycleAcquisition,
    [property: Key(10)] CycleRecord[] History,
    [property: Key(11)] string? CycleTraceParent,
    [property: Key(12)] FailedAttempt[]? FailedAttempts = null,
    [property: Key(13)] LabeledRegion[]? CycleLabels = null,
    [property: Key(14)] bool AnnotationClosed = false,
    [property: Key(15)] AnnotationFigures? InitialAnnotation = null)
{
    public static ExperimentSnapshot From(ExperimentState s) => new(
        s.Plan, s.Cycle, s.Attempt, s.Phase, s.Acquired.ToArray(), s.LastCheckpoint, s.Model, s.Evaluation,
        s.ScoredShards.Values.ToArray(), s.CycleAcquisition.ToArray(), s.History.ToArray(), s.CycleTraceParent, s.FailedAttempts.ToArray(),
        s.CycleLabels.Select(l => new LabeledRegion(l.Key, l.Value)).ToArray(), s.AnnotationClosed, s.InitialAnnotation);

    public ExperimentState ToState() => new()
    {
        Plan = Plan.Upgraded(),
        Cycle = Cycle,
        Attempt = Attempt,
        Phase = Phase,
        Acquired = Acquired.ToImmutableSortedSet(),
        LastCheckpoint = LastCheckpoint,
        Model = Model,
        Evaluation = Evaluation,
        ScoredShards = ScoredShards.ToImmutableSortedDictionary(x => x.Shard, x => x),
        CycleAcquisition = CycleAcquisition.ToImmutableArray(),
        History = History.ToImmutableList(),
        CycleTraceParent = CycleTraceParent,
        FailedAttempts = (FailedAttempts ?? []).ToImmutableList(),
        CycleLabels = (CycleLabels ?? []).ToImmutableSortedDictionary(l => l.Region, l => l.Label),
        AnnotationClosed = AnnotationClosed,
        InitialAnnotation = InitialAnnotation,
    };
}

/// <summary>A region with its label, as snapshots keep the current round's labels.</summary>
[MessagePackObject]
public sealed record LabeledRegion([property: Key(0)] RegionId Region, [property: Key(1)] RegionLabel Label);
