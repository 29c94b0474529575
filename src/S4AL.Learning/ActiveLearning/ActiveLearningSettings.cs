using System.Text.Json.Serialization;
using S4AL.Domain.Acquisition;
using S4AL.Learning.Acquisition;
using S4AL.Learning.Networks;
using S4AL.Learning.Training;

namespace S4AL.Learning.ActiveLearning;

/// <summary>Which network scores the pool (the authors' code: the student; the paper: the teacher).</summary>
public enum ScoringNetwork
{
    Student,
    Teacher,
}

/// <summary>What is trained each cycle.</summary>
public enum TrainingMode
{
    /// <summary>S4AL: supervised + mean-teacher unsupervised losses with ClassMix and balanced replay.</summary>
    S4al,
    /// <summary>Only the supervised loss, on every labeled pixel (initial images and acquired regions).</summary>
    SupervisedOnly,
    /// <summary>Only the supervised loss with every pool pixel labeled; no acquisition (the upper bound).</summary>
    FullySupervised,
}

/// <summary>
/// Everything that defines an active-learning experiment apart from its data. Defaults are
/// the authors' CamVid settings scaled to the built-in synthetic data (see README).
/// </summary>
public sealed record ActiveLearningSettings
{
    /// <summary>Acquisition cycles. Training runs Cycles + 1 times: after the initial set and after each acquisition (the authors' "generations").</summary>
    public int Cycles { get; init; } = 2;
    public int EpochsPerCycle { get; init; } = 10;
    /// <summary>The last training round runs this many times the epochs (the authors: 2).</summary>
    public int LastCycleEpochFactor { get; init; } = 2;
    public int IterationsPerEpoch { get; init; } = 10;
    public int BatchSize { get; init; } = 4;
    /// <summary>Share of pool images fully labeled before the first cycle (the authors: 10%).</summary>
    public double InitialLabeledShare { get; init; } = 0.1;
    public int RegionSize { get; init; } = 16;
    /// <summary>Regions acquired per cycle: the k best of every image (the authors: 4) or the B best of the pool.</summary>
    public SelectionBudget Budget { get; init; } = SelectionBudget.PerImage(4);
    public AcquisitionMetric Metric { get; init; } = AcquisitionMetric.Entropy;
    public ScoringNetwork Scorer { get; init; } = ScoringNetwork.Student;
    public TrainingMode Mode { get; init; } = TrainingMode.S4al;
    /// <summary>
    /// Which images S4AL's supervised loss draws its batches from. True (the default, because
    /// it measures best: docs/benchmarks.md): every pool image with an annotated pixel, the
    /// unannotated pixels ignored, drawn uniformly as the supervised-only baseline draws them,
    /// so that S4AL is that baseline plus the semi-supervised losses. False (the authors' code,
    /// <see cref="Authors"/>): only the fully labeled initial images; acquired regions act only
    /// in the unsupervised branch, as truth at confidence 1.
    /// </summary>
    public bool SupervisedOnAcquiredRegions { get; init; } = true;
    public NetworkKind Network { get; init; } = NetworkKind.MobileNetV2;
    /// <summary>A PyTorch ImageNet state dict for the backbone (.pt/.pth), or null to start from random weights.</summary>
    public string? BackboneWeights { get; init; }
    public SslSettings Ssl { get; init; } = new();
    public int EvaluationBatchSize { get; init; } = 8;
    /// <summary>Seed of every random choice: initial set, sampling, augmentation, network initialization.</summary>
    public int Seed { get; init; } = 1;
    /// <summary>
    /// Full or supervised-only training evaluated as it trains and stopped once validation mIoU no
    /// longer rises (the last round's epochs are then the maximum); null: the fixed schedule.
    /// Left out of settings.json when null, so existing run folders keep their settings hash.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ConvergenceRule? Convergence { get; init; }

    /// <summary>
    /// The authors' code as their CamVid command line runs it (train_al_semi_sup_region.py):
    /// acquired regions only in the unsupervised loss, 100 epochs of 50 iterations per cycle,
    /// regions of 30 pixels, 4 per image, 2 acquisition cycles. Every setting of the product
    /// whose default differs from that code is set back here, so the original can always be
    /// reproduced (`s4al run --preset authors`).
    /// </summary>
    public static ActiveLearningSettings Authors { get; } = new()
    {
        SupervisedOnAcquiredRegions = false,
        EpochsPerCycle = 100,
        IterationsPerEpoch = 50,
        RegionSize = 30,
        Budget = SelectionBudget.PerImage(4),
        Cycles = 2,
        BatchSize = 4,
        InitialLabeledShare = 0.1,
        Metric = AcquisitionMetric.Entropy,
        Scorer = ScoringNetwork.Student,
        Network = NetworkKind.MobileNetV2,
    };

    /// <summary>The last cycle's number: full supervision trains once (cycle 0), whatever <see cref="Cycles"/> says; a finished run has this plus one cycles.</summary>
    public int LastCycle() => Mode == TrainingMode.FullySupervised ? 0 : Cycles;

    /// <summary>Epochs of a training round; the last round (<paramref name="lastCycle"/>) trains longer.</summary>
    public int EpochsOfCycle(int cycle, int lastCycle) => cycle == lastCycle ? EpochsPerCycle * LastCycleEpochFactor : EpochsPerCycle;

    /// <summary>How the pool is scored; the same for every shard, so merged shard results equal one pass.</summary>
    public RegionScoringSettings ScoringSettings() => new()
    {
        Metric = Metric,
        Budget = Budget,
        BatchSize = EvaluationBatchSize,
        Seed = Seeds.Derive(Seed, "random-metric"),
    };

    /// <summary>Throws naming the first setting that is out of range.</summary>
    public void Validate()
    {
        static void Check(bool ok, string name, object value, string rule)
        {
            if (!ok) throw new ArgumentException($"setting {name} = {value} is invalid: {rule}");
        }
        Check(Cycles >= 0, nameof(Cycles), Cycles, "must be 0 or more");
        Check(EpochsPerCycle >= 1, nameof(EpochsPerCycle), EpochsPerCycle, "must be at least 1");
        Check(LastCycleEpochFactor >= 1, nameof(LastCycleEpochFactor), LastCycleEpochFactor, "must be at least 1");
        Check(IterationsPerEpoch >= 1, nameof(IterationsPerEpoch), IterationsPerEpoch, "must be at least 1");
        Check(BatchSize >= 2, nameof(BatchSize), BatchSize, "must be at least 2 (ClassMix mixes pairs of images)");
        Check(InitialLabeledShare > 0 && InitialLabeledShare <= 1, nameof(InitialLabeledShare), InitialLabeledShare, "must be in (0, 1]");
        Check(RegionSize >= 1, nameof(RegionSize), RegionSize, "must be at least 1 pixel");
        Check(EvaluationBatchSize >= 1, nameof(EvaluationBatchSize), EvaluationBatchSize, "must be at least 1");
        Ssl.Validate();
        if (Convergence is { } convergence)
        {
            Check(Mode != TrainingMode.S4al, nameof(Convergence), convergence, "stopping at convergence is for full and supervised-only training (an S4AL round's length is part of the method)");
            try { convergence.Validate(); }
            catch (ArgumentOutOfRangeException e) { throw new ArgumentException($"setting {nameof(Convergence)}.{e.ParamName} = {e.ActualValue} is invalid: {e.Message.Split(" (Parameter")[0]}"); }
        }
        if (BackboneWeights is not null && !File.Exists(BackboneWeights))
            throw new FileNotFoundException($"backbone weights file not found: {BackboneWeights}", BackboneWeights);
    }
}
