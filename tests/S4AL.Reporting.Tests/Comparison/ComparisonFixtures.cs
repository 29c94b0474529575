using S4AL.Domain.Experiments;
using System.Collections.Immutable;
using S4AL.Domain.Metrics;
using S4AL.Learning.Acquisition;
using S4AL.Learning.ActiveLearning;
using S4AL.Learning.Data.Datasets;
using S4AL.Reporting.Comparison;

namespace S4AL.Reporting.Tests.Comparison;

/// <summary>
/// Runs as `s4al run` leaves them, with hand-picked numbers: settings.json is a real
/// <see cref="ExperimentDefinition"/>, cycles.json comes from <see cref="CycleResultFiles"/>.
/// The standard sweep: s4al with entropy and with random regions over seeds 1-3, and full
/// supervision over seeds 1-2 (the hand-computed values are in the tests that use it). Every
/// cycle trains 400 iterations, the last 800; full supervision is trained to convergence, its
/// curve in <see cref="FullCurves"/>, its iterations those of the curve's best point.
/// </summary>
public static class ComparisonFixtures
{
    public static readonly string[] Classes = ["background", "item"];

    /// <summary>One cycle: labeled share, mIoU (null: not measured), per-class IoU (null: not finite; none given: the mIoU).</summary>
    public sealed record Cycle(double Share, double? Miou, params double?[] ClassIou);

    public static ActiveLearningSettings Entropy { get; } = new() { Cycles = 2, Metric = AcquisitionMetric.Entropy };
    public static ActiveLearningSettings RandomRegions { get; } = Entropy with { Metric = AcquisitionMetric.Random };
    public static ActiveLearningSettings Full { get; } = Entropy with { Mode = TrainingMode.FullySupervised };

    public static DatasetOptions Data(int seed) => new() { Kind = DatasetKind.FashionMnist, Height = 64, Width = 64, PoolSize = 100, ValidationSize = 100, Seed = seed };

    /// <summary>The runs of the standard sweep: (folder name, settings, seed, cycles).</summary>
    public static IReadOnlyList<(string Name, ActiveLearningSettings Settings, int Seed, Cycle[] Cycles)> Sweep { get; } =
    [
        ("s4al-s1", Entropy, 1, [new(0.10, 0.30, 0.5, 0.1), new(0.125, 0.35, 0.6, 0.1), new(0.15, 0.40, 0.70, 0.10)]),
        ("s4al-s2", Entropy, 2, [new(0.10, 0.32, 0.5, 0.1), new(0.125, 0.38, 0.6, 0.1), new(0.15, 0.45, 0.80, 0.10)]),
        ("s4al-s3", Entropy, 3, [new(0.10, 0.28, 0.5, 0.1), new(0.125, 0.41, 0.6, 0.1), new(0.15, 0.50, 0.90, null)]),
        ("random-s1", RandomRegions, 1, [new(0.10, 0.29, 0.5, 0.1), new(0.125, 0.33, 0.6, 0.1), new(0.15, 0.35, 0.6, 0.10)]),
        ("random-s2", RandomRegions, 2, [new(0.10, 0.31, 0.5, 0.1), new(0.125, 0.36, 0.6, 0.1), new(0.15, 0.42, 0.7, 0.14)]),
        ("random-s3", RandomRegions, 3, [new(0.10, 0.27, 0.5, 0.1), new(0.125, 0.37, 0.6, 0.1), new(0.15, 0.40, 0.8, 0.06)]),
        ("full-s1", Full, 1, [new(1.0, 0.50, 0.90, 0.10)]),
        ("full-s2", Full, 2, [new(1.0, 0.60, 0.95, 0.25)]),
    ];

    /// <summary>The curves of the full-supervision runs by seed: best 0.50 at 800 iterations (s1), 0.60 at 1,200 (s2).</summary>
    public static IReadOnlyDictionary<int, TrainingCurvePoint[]> FullCurves { get; } = new Dictionary<int, TrainingCurvePoint[]>
    {
        [1] = [new(5, 400, 0.40), new(10, 800, 0.50), new(15, 1200, 0.48)],
        [2] = [new(5, 400, 0.55), new(10, 800, 0.58), new(15, 1200, 0.60), new(20, 1600, 0.59)],
    };

    /// <summary>The standard sweep written as run folders under <paramref name="root"/>.</summary>
    public static void WriteSweep(string root)
    {
        foreach (var (name, settings, seed, cycles) in Sweep) WriteRun(Path.Combine(root, name), settings, seed, cycles);
    }

    /// <summary>The standard sweep in memory, read back from the very text a run folder holds.</summary>
    public static IReadOnlyList<ComparedRun> SweepRuns() => Sweep.Select(r => InMemory(r.Name, r.Settings, r.Seed, r.Cycles)).ToList();

    public static string WriteRun(string folder, ActiveLearningSettings settings, int seed, params Cycle[] cycles)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, RunFolders.SettingsFile), Definition(settings, seed).ToJson());
        CycleResultFiles.Write(folder, Results(settings, seed, cycles));
        return folder;
    }

    public static ComparedRun InMemory(string folder, ActiveLearningSettings settings, int seed, params Cycle[] cycles) =>
        new(folder, ExperimentDefinition.FromJson(Definition(settings, seed).ToJson(), folder), CyclesJson.Parse(CycleResultFiles.ToJson(Results(settings, seed, cycles)), folder));

    public static ExperimentDefinition Definition(ActiveLearningSettings settings, int seed) => new(Data(seed), settings with { Seed = seed });

    static List<CycleResult> Results(ActiveLearningSettings settings, int seed, Cycle[] cycles)
    {
        var curve = settings.Mode == TrainingMode.FullySupervised ? FullCurves.GetValueOrDefault(seed) : null;
        return cycles.Select((c, i) => new CycleResult(i, c.Share, LabeledRegions: 0, Metrics(c), Acquired: [], TrainSeconds: 1, ScoreSeconds: 0,
            Steps: curve is not null ? ConvergenceRule.Best(curve).Steps : i == cycles.Length - 1 ? 800 : 400, Curve: curve)).ToList();
    }

    static SegmentationMetrics Metrics(Cycle c)
    {
        // CycleResultFiles writes a non-finite class IoU as null, as the engine's metrics would have it.
        // Without class IoU given, each class has the mIoU (their mean, as it should be).
        var iou = (c.ClassIou.Length > 0 ? c.ClassIou : Classes.Select(_ => c.Miou).ToArray()).Select(v => v ?? double.NaN).ToImmutableArray();
        var zeros = Classes.Select(_ => 0.0).ToImmutableArray();
        var counts = Classes.Select(_ => 1L).ToImmutableArray();
        return new SegmentationMetrics
        {
            ClassNames = [.. Classes],
            ClassIoU = iou,
            ClassAccuracy = zeros,
            ClassPixels = counts,
            PredictedPixels = counts,
            MeanIoU = c.Miou ?? 0,
            MeanIoUPresent = c.Miou ?? 0,
            MeanClassAccuracy = 0,
            MeanClassAccuracyPresent = 0,
            PixelAccuracy = 0,
            // Nothing counted is how a run without labeled validation images says "not measured".
            PixelCount = c.Miou is null ? 0 : 1000,
        };
    }
}
