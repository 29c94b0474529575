using System.Collections.Immutable;
using S4AL.Domain.Acquisition;
using static S4AL.Domain.Experiments.ExperimentEvents;

namespace S4AL.Domain.Experiments;

/// <summary>The outcome of a command: events to persist (none when it was a duplicate or stale), or why it was refused.</summary>
public sealed record Decision(ImmutableArray<IExperimentEvent> Events, string? Refusal = null)
{
    public static Decision None { get; } = new(ImmutableArray<IExperimentEvent>.Empty);
    public static Decision Of(IExperimentEvent e) => new(ImmutableArray.Create(e));
    public static Decision Refuse(string why) => new(ImmutableArray<IExperimentEvent>.Empty, why);
    public bool IsRefused => Refusal is not null;
}

/// <summary>What the coordinator must do next for an experiment, read from its state alone (so a recovered coordinator knows too).</summary>
public enum NextAction
{
    /// <summary>Nothing: the experiment is done.</summary>
    None,
    /// <summary>Start (or restart) training of the current cycle on a trainer.</summary>
    Train,
    /// <summary>Send the shards without a result to the scorers.</summary>
    Score,
    /// <summary>Merge the shard results into the cycle's acquisition.</summary>
    Acquire,
    /// <summary>Record that the acquired regions have their labels (the oracle's at once; people's once all are in or the round is closed).</summary>
    Annotate,
    /// <summary>Wait: people label the queried regions (<see cref="ExperimentDecisions.Label"/>) or close the round.</summary>
    AwaitLabels,
    /// <summary>The cycle is complete: start the next one.</summary>
    StartNextCycle,
    /// <summary>Wait until the experiment named by <see cref="ExperimentPlan.LabeledSetFrom"/> is done, then take its labeled set (<see cref="ExperimentDecisions.Inherit"/>).</summary>
    Inherit,
}

/// <summary>
/// The coordinator's rules as pure functions of (state, command) to events. Every command
/// names its cycle (and shard), so a duplicate or a late message from an earlier attempt
/// decides nothing instead of corrupting the state.
/// </summary>
public static class ExperimentDecisions
{
    public static NextAction Next(ExperimentState s) => s.Phase switch
    {
        CyclePhase.Training => NextAction.Train,
        CyclePhase.Scoring => NextAction.Score,
        CyclePhase.Acquiring => NextAction.Acquire,
        CyclePhase.Annotating => s.History.Any(h => h.Cycle == s.Cycle) ? NextAction.StartNextCycle
            : s.AwaitsLabels ? NextAction.AwaitLabels : NextAction.Annotate,
        CyclePhase.Waiting => NextAction.Inherit,
        _ => NextAction.None,
    };

    /// <summary>A new experiment, or the same one again (nothing to do), or one that contradicts the journal (refused).</summary>
    public static Decision Submit(ExperimentState? existing, ExperimentPlan plan)
    {
        try { plan.Validate(); }
        catch (ArgumentException e) { return Decision.Refuse(e.Message); }
        if (existing is null) return Decision.Of(new Submitted(plan));
        if (existing.Plan.SameExperimentAs(plan)) return Decision.None;
        return Decision.Refuse($"experiment {plan.Id} already exists with other settings ({Difference(existing.Plan.AsSubmitted(), plan.AsSubmitted())}); use another run folder or experiment id");
    }

    /// <summary>
    /// A waiting experiment takes the final labeled set of the experiment it depends on, once that
    /// one is done (nothing before: unknown, still running or failed experiments are waited for).
    /// Refused when the two pools differ, since the regions would name other pixels.
    /// </summary>
    public static Decision Inherit(ExperimentState s, ExperimentState? from)
    {
        if (s.Phase != CyclePhase.Waiting || from is not { IsDone: true } || from.Id != s.Plan.LabeledSetFrom) return Decision.None;
        if (from.Plan.PoolImages != s.Plan.PoolImages || from.Plan.RegionsPerImage != s.Plan.RegionsPerImage)
            return Decision.Refuse($"experiment {s.Id} cannot start from the labeled set of {from.Id}: its pool has {s.Plan.PoolImages} images of {s.Plan.RegionsPerImage} regions, " +
                $"that one {from.Plan.PoolImages} of {from.Plan.RegionsPerImage}");
        return Decision.Of(new LabeledSetInherited(s.Id, from.Id, from.Plan.InitialFullyLabeled, from.Acquired.ToArray()));
    }

    /// <summary>Why an attempt ended that nobody reported as failed: the coordinator that ran it stopped.</summary>
    public const string InterruptedReason = "interrupted: the coordinator stopped while it ran (process killed, crash, restart or fail-over)";

    /// <summary>
    /// A (re)start of the current cycle's training: a new attempt, so traces and logs tell restarts
    /// apart. An earlier attempt that ended without a recorded failure was interrupted, and is
    /// recorded as such first, so every attempt but a cycle's last has a reason.
    /// </summary>
    public static Decision StartAttempt(ExperimentState s)
    {
        if (s.Phase != CyclePhase.Training) return Decision.None;
        var start = new CycleStarted(s.Id, s.Cycle, s.Attempt + 1);
        return s.Attempt >= 1 && !s.AttemptFailed(s.Attempt)
            ? new Decision(ImmutableArray.Create<IExperimentEvent>(new TrainingAttemptFailed(s.Id, s.Cycle, s.Attempt, InterruptedReason), start))
            : Decision.Of(start);
    }

    /// <summary>
    /// The current attempt ended without a trained network (<paramref name="attempt"/> 0: whichever
    /// attempt is current). Nothing when the report is late (another cycle or attempt) or repeated.
    /// </summary>
    public static Decision AttemptFailed(ExperimentState s, int cycle, int attempt, string reason)
    {
        if (s.Phase != CyclePhase.Training || cycle != s.Cycle || s.Attempt < 1) return Decision.None;
        if (attempt != 0 && attempt != s.Attempt) return Decision.None;
        if (s.AttemptFailed(s.Attempt)) return Decision.None;
        return Decision.Of(new TrainingAttemptFailed(s.Id, cycle, s.Attempt, reason));
    }

    /// <summary>Records the trace of the current cycle (a new one, or the same one again: nothing to persist).</summary>
    public static Decision Traced(ExperimentState s, string traceParent) =>
        s.CycleTraceParent == traceParent ? Decision.None : Decision.Of(new CycleTraced(s.Id, s.Cycle, traceParent));

    public static Decision Checkpoint(ExperimentState s, CheckpointRef checkpoint)
    {
        if (s.Phase != CyclePhase.Training || checkpoint.Cycle != s.Cycle) return Decision.None;
        if (s.LastCheckpoint is { } last && checkpoint.Step <= last.Step) return Decision.None;
        return Decision.Of(new CheckpointSaved(s.Id, checkpoint));
    }

    public static Decision Trained(ExperimentState s, int cycle, CheckpointRef model, CycleEvaluation evaluation)
    {
        if (s.Phase != CyclePhase.Training || cycle != s.Cycle || model.Cycle != cycle) return Decision.None;
        return Decision.Of(new CycleTrained(s.Id, cycle, model, evaluation));
    }

    public static Decision ShardDone(ExperimentState s, int cycle, int shard, IReadOnlyList<RegionCandidate> candidates, double seconds)
    {
        if (s.Phase != CyclePhase.Scoring || cycle != s.Cycle || s.ScoredShards.ContainsKey(shard)) return Decision.None;
        var plan = s.Shards().FirstOrDefault(x => x.Index == shard);
        if (plan is null) return Decision.Refuse($"cycle {cycle} has no shard {shard}");
        var images = plan.Images.ToHashSet();
        var seen = new HashSet<RegionId>();
        foreach (var c in candidates)
        {
            if (!images.Contains(c.Image)) return Decision.Refuse($"shard {shard} of cycle {cycle} returned image {c.Image}, which is not in the shard");
            if (c.Region < 0 || c.Region >= s.Plan.RegionsPerImage) return Decision.Refuse($"shard {shard} returned region {c.Region}, outside the grid of {s.Plan.RegionsPerImage}");
            if (s.Acquired.Contains(c.Id)) return Decision.Refuse($"shard {shard} returned region {c.Id}, which is already labeled");
            // A persisted result the merge rejects (duplicate or NaN) would stop the experiment again after every restart.
            if (!seen.Add(c.Id)) return Decision.Refuse($"shard {shard} returned region {c.Id} twice");
            if (double.IsNaN(c.Score)) return Decision.Refuse($"shard {shard} returned region {c.Id} with a NaN score");
        }
        return Decision.Of(new ShardScored(s.Id, cycle, shard, candidates.ToArray(), seconds));
    }

    /// <summary>
    /// The cycle's acquisition, decided from the persisted shard results: their exact top under
    /// the plan's budget (<see cref="RegionSelection.Merge"/>), in selection order.
    /// </summary>
    public static Decision Acquire(ExperimentState s, int cycle)
    {
        if (s.Phase != CyclePhase.Acquiring || cycle != s.Cycle) return Decision.None;
        IReadOnlyList<RegionCandidate> merged;
        try { merged = RegionSelection.Merge(s.ScoredShards.Values.Select(r => (IReadOnlyList<RegionCandidate>)r.Candidates), s.Plan.Budget!); }
        catch (ArgumentException e) { return Decision.Refuse($"the shard results of cycle {cycle} cannot be merged: {e.Message}"); }
        return Acquire(s, cycle, merged.Select(c => c.Id).ToList());
    }

    /// <summary>An acquisition of the given regions, in this order: checked, never taken twice.</summary>
    public static Decision Acquire(ExperimentState s, int cycle, IReadOnlyList<RegionId> regions)
    {
        if (s.Phase != CyclePhase.Acquiring || cycle != s.Cycle) return Decision.None;
        var seen = new HashSet<RegionId>();
        var fully = s.FullyLabeled;
        foreach (var r in regions)
        {
            if (r.Image < 0 || r.Image >= s.Plan.PoolImages || r.Region < 0 || r.Region >= s.Plan.RegionsPerImage)
                return Decision.Refuse($"acquired region {r} is outside the pool");
            if (s.Acquired.Contains(r) || fully.Contains(r.Image)) return Decision.Refuse($"region {r} is already labeled");
            if (!seen.Add(r)) return Decision.Refuse($"region {r} is acquired twice in cycle {cycle}");
        }
        return Decision.Of(new RegionsAcquired(s.Id, cycle, regions.ToArray()));
    }

    /// <summary>
    /// A person's label of one region, already in the label store. Refused unless the experiment
    /// waits for labels of this cycle and queried the region; the same label again decides nothing
    /// (stored once); another label of the same region is a correction.
    /// </summary>
    public static Decision Label(ExperimentState s, int cycle, RegionId region, RegionLabel label)
    {
        if (RefuseAnnotation(s, cycle) is { } refusal) return refusal;
        if (!s.CycleAcquisition.Contains(region)) return Decision.Refuse($"region {region} is not queried in cycle {cycle} of experiment {s.Id}");
        if (string.IsNullOrWhiteSpace(label.Annotator)) return Decision.Refuse($"the label of region {region} names no annotator");
        if (label.Sha256 is not { Length: 64 } || !label.Sha256.All(char.IsAsciiHexDigitLower))
            return Decision.Refuse($"the label of region {region} has no valid SHA-256 ('{label.Sha256}': 64 lower-case hex digits expected)");
        if (label.Seconds is { } t && (!double.IsFinite(t) || t < 0)) return Decision.Refuse($"the label of region {region} took {t} seconds: must be 0 or more");
        if (label.LabeledPixels < 0) return Decision.Refuse($"the label of region {region} has {label.LabeledPixels} labeled pixels");
        if (s.CycleLabels.TryGetValue(region, out var stored) && stored.Sha256 == label.Sha256) return Decision.None;
        return Decision.Of(new RegionLabeled(s.Id, cycle, region, label with { Corrections = 0 }));
    }

    /// <summary>Ends the round early (<c>s4al annotate --close</c>): regions without a label go back to the pool.</summary>
    public static Decision CloseAnnotation(ExperimentState s, int cycle)
    {
        if (RefuseAnnotation(s, cycle) is { } refusal) return refusal;
        // Training needs labeled pixels: the first round cannot end with none.
        if (s.IsInitialRound && s.CycleLabels.IsEmpty && s.Plan.InitialRegions.Length == 0)
            return Decision.Refuse($"no region of experiment {s.Id}'s initial set is labeled yet: label at least one before closing the first round (training needs labeled pixels)");
        return Decision.Of(new AnnotationClosed(s.Id, cycle));
    }

    static Decision? RefuseAnnotation(ExperimentState s, int cycle)
    {
        if (s.Plan.Annotator != AnnotatorMode.Human) return Decision.Refuse($"experiment {s.Id} is labeled by the oracle (the dataset's masks): it takes no labels");
        if (s.IsDone) return Decision.Refuse($"experiment {s.Id} is done: it waits for no labels");
        if (cycle != s.Cycle) return Decision.Refuse($"experiment {s.Id} is in cycle {s.Cycle}, not cycle {cycle}");
        if (!s.AwaitsLabels) return Decision.Refuse($"cycle {s.Cycle} of experiment {s.Id} is {Describe(s)}: it waits for no labels");
        return null;
    }

    static string Describe(ExperimentState s) => s.Phase switch
    {
        CyclePhase.Annotating => s.AnnotationClosed ? "closed for annotation" : "fully labeled",
        var phase => phase.ToString().ToLowerInvariant(),
    };

    public static Decision Annotate(ExperimentState s, int cycle) =>
        Next(s) == NextAction.Annotate && cycle == s.Cycle ? Decision.Of(new RegionsAnnotated(s.Id, cycle)) : Decision.None;

    /// <summary>
    /// What the coordinator decides on its own once the state allows it: the acquisition from the
    /// shard results, the annotation (the oracle reveals the labels at once), the next cycle.
    /// </summary>
    public static Decision Progress(ExperimentState s) => Next(s) switch
    {
        NextAction.Acquire => Acquire(s, s.Cycle),
        NextAction.Annotate => Annotate(s, s.Cycle),
        NextAction.StartNextCycle => StartNextCycle(s),
        _ => Decision.None,
    };

    /// <summary>
    /// The next cycle, with no attempt yet (0): an attempt begins when a trainer takes it
    /// (<see cref="StartAttempt"/>), so an experiment that waited in the queue when the coordinator
    /// stopped is not counted as an interrupted attempt. (Journals written before this started the
    /// next cycle at attempt 1; they replay unchanged.)
    /// </summary>
    public static Decision StartNextCycle(ExperimentState s) =>
        Next(s) == NextAction.StartNextCycle ? Decision.Of(new CycleStarted(s.Id, s.Cycle + 1, 0)) : Decision.None;

    static string Difference(ExperimentPlan a, ExperimentPlan b)
    {
        if (a.LabeledSetFrom != b.LabeledSetFrom) return $"labeled set from {a.LabeledSetFrom?.Value ?? "its own initial set"} vs {b.LabeledSetFrom?.Value ?? "its own initial set"}";
        if (a.RunDirectory != b.RunDirectory) return $"run folder {a.RunDirectory} vs {b.RunDirectory}";
        if (a.Definition != b.Definition) return "experiment settings differ";
        if (a.PoolImages != b.PoolImages) return $"pool of {a.PoolImages} vs {b.PoolImages} images";
        if (a.RegionsPerImage != b.RegionsPerImage) return $"{a.RegionsPerImage} vs {b.RegionsPerImage} regions per image";
        if (a.LastCycle != b.LastCycle) return $"last cycle {a.LastCycle} vs {b.LastCycle}";
        if (a.ShardSize != b.ShardSize) return $"shard size {a.ShardSize} vs {b.ShardSize}";
        if (!a.InitialFullyLabeled.SequenceEqual(b.InitialFullyLabeled)) return "initial fully labeled images differ";
        if (a.Budget != b.Budget) return $"budget {a.Budget} vs {b.Budget}";
        if (a.Annotator != b.Annotator) return $"annotator {a.Annotator} vs {b.Annotator}".ToLowerInvariant();
        return "initial labeled regions differ";
    }
}
