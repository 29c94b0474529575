using MessagePack;

namespace S4AL.Domain.Experiments;

/// <summary>
/// What the coordinator needs to run an experiment, fixed when it is submitted.
/// <see cref="Definition"/> is the engine's settings (dataset + active-learning settings) as
/// JSON: workers deserialize it with the engine; the coordinator's rules never look inside,
/// they only need the shape of the pool given next to it.
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
    [property: Key(8)] RegionKey[] InitialRegions)
{
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
        foreach (var image in InitialFullyLabeled)
            if (image < 0 || image >= PoolImages) throw new ArgumentException($"plan.InitialFullyLabeled holds image {image}, outside the pool of {PoolImages}");
        foreach (var r in InitialRegions)
            if (r.Image < 0 || r.Image >= PoolImages || r.Region < 0 || r.Region >= RegionsPerImage)
                throw new ArgumentException($"plan.InitialRegions holds region {r}, outside {PoolImages} images of {RegionsPerImage} regions");
        return this;
    }

    /// <summary>Same experiment? Used to refuse a resubmission whose settings contradict the journal.</summary>
    public bool SameExperimentAs(ExperimentPlan other) =>
        Id == other.Id && RunDirectory == other.RunDirectory && Definition == other.Definition &&
        PoolImages == other.PoolImages && RegionsPerImage == other.RegionsPerImage && LastCycle == other.LastCycle &&
        ShardSize == other.ShardSize && InitialFullyLabeled.SequenceEqual(other.InitialFullyLabeled) &&
        InitialRegions.SequenceEqual(other.InitialRegions);
}

/// <summary>
/// The evaluation of a cycle's trained network: the validation confusion matrix (row = truth,
/// column = prediction, row-major) from which every metric derives, and what it was trained on.
/// </summary>
[MessagePackObject]
public sealed record CycleEvaluation(
    [property: Key(0)] int NumClasses,
    [property: Key(1)] long[] Confusion,
    [property: Key(2)] double LabeledPixelShare,
    [property: Key(3)] double TrainSeconds)
{
    /// <summary>
    /// Mean IoU over all classes, a class absent from truth and prediction counting 0: the same
    /// number as the engine's SegmentationMetrics.MeanIoU and the run folder's cycles.csv.
    /// </summary>
    public double MeanIoU()
    {
        if (NumClasses < 1 || Confusion.Length != NumClasses * NumClasses)
            throw new InvalidDataException($"a cycle evaluation holds {Confusion.Length} confusion counts, not {NumClasses}x{NumClasses}");
        double sum = 0;
        for (int c = 0; c < NumClasses; c++)
        {
            long tp = Confusion[c * NumClasses + c], row = 0, col = 0;
            for (int k = 0; k < NumClasses; k++) { row += Confusion[c * NumClasses + k]; col += Confusion[k * NumClasses + c]; }
            long union = row + col - tp;
            if (union > 0) sum += (double)tp / union;
        }
        return sum / NumClasses;
    }
}
