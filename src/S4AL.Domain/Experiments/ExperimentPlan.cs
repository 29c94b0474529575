using System.Text.Json;
using MessagePack;
using S4AL.Domain.Acquisition;
using S4AL.Domain.Metrics;

namespace S4AL.Domain.Experiments;

/// <summary>
/// What the coordinator needs to run an experiment, fixed when it is submitted: the journal's
/// record of it. <see cref="Definition"/> is the engine's settings (dataset + active-learning
/// settings) as JSON: workers deserialize it with the engine; the coordinator's rules never
/// look inside, they need only the shape of the pool and the <see cref="Budget"/> given next to it.
/// <see cref="InitialSetLabeled"/>: with people labeling, the initial images came with their
/// labels (<c>--start-labels</c>, already in the label store), so no first round queries them.
/// <see cref="LabeledSetFrom"/>: the experiment starts from the final labeled set of that
/// experiment (e.g. supervised-only training on exactly the pixels an S4AL run acquired, in a
/// sweep), so its own initial sets are empty until the coordinator copies that set in
/// (<see cref="ExperimentEvents.LabeledSetInherited"/>) once the other experiment is done.
/// </summary>
[MessagePackObject]
public sealed record ExperimentPlan(
    [property: Key(0)] ExperimentId Id,
    [property: Key(1)] string RunDirectory,
    [property: Key(2)] string Definition,
    [property: Key(3)] int PoolImages,
    [property: Key(4)] int RegionsPerImage,
    [property: Key(5)] int LastCycle,
    [property: Key(6)] int ShardSize,
    [property: Key(7)] int[] InitialFullyLabeled,
    [property: Key(8)] RegionId[] InitialRegions,
    [property: Key(9)] SelectionBudget? Budget = null,
    [property: Key(10)] AnnotatorMode Annotator = AnnotatorMode.Oracle,
    [property: Key(11)] bool InitialSetLabeled = false,
    [property: Key(12)] ExperimentId? LabeledSetFrom = null)
{
    /// <summary>
    /// The plan with its <see cref="Budget"/>: plans journaled before the budget was part of the
    /// plan (null) take it from the definition's settings.budget, which is where it came from.
    /// </summary>
    public ExperimentPlan Upgraded()
    {
        if (Budget is not null) return this;
        try
        {
            using var json = JsonDocument.Parse(Definition);
            var budget = json.RootElement.GetProperty("settings").GetProperty("budget");
            var scope = budget.GetProperty("scope").GetString() switch
            {
                "per-image" => BudgetScope.PerImage,
                "global" => BudgetScope.Global,
                var other => throw new InvalidDataException($"plan {Id}: settings.budget.scope '{other}' is neither per-image nor global"),
            };
            return this with { Budget = new SelectionBudget(scope, budget.GetProperty("count").GetInt32()) };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentOutOfRangeException)
        {
            throw new InvalidDataException($"plan {Id} has no budget and its definition gives none ({e.Message})", e);
        }
    }

    /// <summary>Throws naming the first field that cannot describe an experiment.</summary>
    public ExperimentPlan Validate()
    {
        if (string.IsNullOrEmpty(Id.Value)) throw new ArgumentException("plan.Id is empty");
        if (InitialFullyLabeled is null || InitialRegions is null) throw new ArgumentException("plan.InitialFullyLabeled and plan.InitialRegions must be given (empty arrays for none)");
        if (string.IsNullOrWhiteSpace(RunDirectory)) throw new ArgumentException("plan.RunDirectory is empty");
        if (string.IsNullOrWhiteSpace(Definition)) throw new ArgumentException("plan.Definition is empty");
        if (PoolImages < 1) throw new ArgumentException($"plan.PoolImages {PoolImages} must be at least 1");
        if (RegionsPerImage < 1) throw new ArgumentException($"plan.RegionsPerImage {RegionsPerImage} must be at least 1");
        if (LastCycle < 0) throw new ArgumentException($"plan.LastCycle {LastCycle} must not be negative");
        if (ShardSize < 1) throw new ArgumentException($"plan.ShardSize {ShardSize} must be at least 1");
        if (Budget is null) throw new ArgumentException("plan.Budget must be given");
        if (!Enum.IsDefined(Annotator)) throw new ArgumentException($"plan.Annotator {(int)Annotator} is neither oracle nor human");
        if (LabeledSetFrom is { } from)
        {
            if (from == Id) throw new ArgumentException($"plan.LabeledSetFrom names the experiment itself ({Id})");
            if (InitialFullyLabeled.Length > 0 || InitialRegions.Length > 0) throw new ArgumentException($"plan.LabeledSetFrom ({from}) gives the initial labeled set: plan.InitialFullyLabeled and plan.InitialRegions must be empty");
            if (Annotator != AnnotatorMode.Oracle) throw new ArgumentException($"plan.LabeledSetFrom ({from}) needs the oracle annotator: people's labels stay in the other run's label store");
        }
        foreach (var image in InitialFullyLabeled)
            if (image < 0 || image >= PoolImages) throw new ArgumentException($"plan.InitialFullyLabeled holds image {image}, outside the pool of {PoolImages}");
        foreach (var r in InitialRegions)
            if (r.Image < 0 || r.Image >= PoolImages || r.Region < 0 || r.Region >= RegionsPerImage)
                throw new ArgumentException($"plan.InitialRegions holds region {r}, outside {PoolImages} images of {RegionsPerImage} regions");
        return this;
    }

    /// <summary>
    /// Same experiment? Used to refuse a resubmission whose settings contradict the journal. An
    /// experiment that inherited its labeled set is compared as it was submitted (without that set).
    /// </summary>
    public bool SameExperimentAs(ExperimentPlan other) => AsSubmitted().SameAs(other.AsSubmitted());

    /// <summary>The plan as its submitter wrote it: an inherited labeled set removed.</summary>
    public ExperimentPlan AsSubmitted() => LabeledSetFrom is null ? this : this with { InitialFullyLabeled = [], InitialRegions = [] };

    bool SameAs(ExperimentPlan other) =>
        Id == other.Id && LabeledSetFrom == other.LabeledSetFrom && RunDirectory == other.RunDirectory && Definition == other.Definition &&
        PoolImages == other.PoolImages && RegionsPerImage == other.RegionsPerImage && LastCycle == other.LastCycle &&
        ShardSize == other.ShardSize && InitialFullyLabeled.SequenceEqual(other.InitialFullyLabeled) &&
        InitialRegions.SequenceEqual(other.InitialRegions) && Budget == other.Budget && Annotator == other.Annotator && InitialSetLabeled == other.InitialSetLabeled;
}

/// <summary>
/// The evaluation of a cycle's trained network: the validation confusion matrix (row = truth,
/// column = prediction, row-major) from which every metric derives, and what it was trained on.
/// <see cref="Curve"/>: a round trained to convergence (full or supervised-only with an
/// evaluation every few epochs) keeps every evaluation it made; the evaluated network is then
/// the best of them. Null for rounds trained for a fixed number of epochs, and in journals
/// written before the curve was kept.
/// </summary>
[MessagePackObject]
public sealed record CycleEvaluation(
    [property: Key(0)] int NumClasses,
    [property: Key(1)] long[] Confusion,
    [property: Key(2)] double LabeledPixelShare,
    [property: Key(3)] double TrainSeconds,
    [property: Key(4)] TrainingCurvePoint[]? Curve = null)
{
    /// <summary>The validation confusion matrix (its counts are what the journal keeps).</summary>
    public ConfusionMatrix Matrix() => ConfusionMatrix.FromCounts(NumClasses, Confusion);

    /// <summary>The validation mIoU (<see cref="SegmentationMetrics.MeanIoU"/>: over all classes, the authors' convention).</summary>
    public double MeanIoU() => Matrix().ToMetrics().MeanIoU;

    /// <summary>Whether any validation pixel was counted (a run without labeled validation images measures nothing).</summary>
    [IgnoreMember] public bool Measured => Confusion.Any(c => c > 0);
}
