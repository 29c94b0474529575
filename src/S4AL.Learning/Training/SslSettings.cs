namespace S4AL.Learning.Training;

/// <summary>
/// Settings of S4AL's mean-teacher semi-supervised training (ALGORITHM.md sections 1, 3, 4).
/// Defaults follow the authors' PyTorch code (train_al_semi_sup_region.py with the CamVid
/// command line: --coldstart --unsup_weight 1 --max_buffer_length 50); where the paper says
/// otherwise the paper's variant is a setting. Immutable; call <see cref="Validate"/> (the
/// trainer does) to get an error naming the first bad setting.
/// </summary>
public sealed record SslSettings
{
    /// <summary>Base SGD learning rate (code: --lr 1e-2).</summary>
    public double LearningRate { get; init; } = 0.01;
    /// <summary>SGD momentum (code: 0.9).</summary>
    public double Momentum { get; init; } = 0.9;
    /// <summary>Nesterov momentum (code: true).</summary>
    public bool Nesterov { get; init; } = true;
    /// <summary>L2 weight decay inside SGD (code: --weight_decay 5e-4).</summary>
    public double WeightDecay { get; init; } = 5e-4;
    /// <summary>Floor of the polynomial schedule (code: PolyLR min_lr 1e-6).</summary>
    public double MinLearningRate { get; init; } = 1e-6;
    /// <summary>Exponent of the polynomial schedule (code: power 0.9).</summary>
    public double PolyPower { get; init; } = 0.9;

    /// <summary>Upper bound m of the EMA decay d = min(1 - 1/(t+1), m) (code: 0.99).</summary>
    public double EmaDecay { get; init; } = 0.99;
    /// <summary>
    /// False (code): the EMA averages parameters only; the teacher's batch-norm running
    /// statistics evolve from its own forward passes. True: floating-point buffers are
    /// averaged like parameters.
    /// </summary>
    public bool EmaAveragesBuffers { get; init; }
    /// <summary>
    /// True (code: ema.model.train()): the teacher labels in training mode, i.e. batch-norm
    /// uses the batch's statistics and updates the teacher's running statistics.
    /// False: the teacher labels in evaluation mode.
    /// </summary>
    public bool TeacherInTrainMode { get; init; } = true;

    /// <summary>Epochs at the start of a cycle that use only the supervised loss (code: --coldstart, epoch_idx &lt; 10). 0 disables the cold start.</summary>
    public int ColdStartEpochs { get; init; } = 10;
    /// <summary>Factor on L_sup during the cold start (code: 1.5).</summary>
    public double ColdStartSupervisedWeight { get; init; } = 1.5;

    /// <summary>First epoch (0-based, within a cycle) that uses replay samples (code: epoch_idx &gt; 29).</summary>
    public int ReplayWarmupEpochs { get; init; } = 30;
    /// <summary>First cycle (0-based) that fills and uses the replay buffer (code: --start_adaptive 1).</summary>
    public int ReplayFromCycle { get; init; } = 1;
    /// <summary>Replay buffer capacity M (code: --max_buffer_length, 50 on CamVid, 500 on Cityscapes).</summary>
    public int ReplayCapacity { get; init; } = 50;

    /// <summary>Confidence threshold of eta, the share of confident pixels (code: --strong_threshold 0.97, compared with &gt;=).</summary>
    public double ConfidenceThreshold { get; init; } = 0.97;
    /// <summary>Multiply each pixel's unsupervised CE by its pseudo-label confidence p (code: --unsup_weight 1 in the published commands).</summary>
    public bool ConfidenceWeighting { get; init; } = true;

    /// <summary>Lower bound of the random scale of the weak augmentation (CamVid 0.75; Cityscapes 0.5).</summary>
    public double ScaleMin { get; init; } = 0.75;
    /// <summary>Upper bound of the random scale of the weak augmentation (CamVid 1.25; Cityscapes 2.0).</summary>
    public double ScaleMax { get; init; } = 1.25;
    /// <summary>Probability that colour jitter is applied to an image (code: torch.rand(1) &gt; 0.5).</summary>
    public double ColorJitterProbability { get; init; } = 0.5;
    /// <summary>Lower bound of the brightness factor (code: ColorJitter brightness=(0.75, 1.25)).</summary>
    public double BrightnessMin { get; init; } = 0.75;
    /// <summary>Upper bound of the brightness factor.</summary>
    public double BrightnessMax { get; init; } = 1.25;
    /// <summary>Lower bound of the contrast factor (code: ColorJitter contrast=(0.75, 1.25)).</summary>
    public double ContrastMin { get; init; } = 0.75;
    /// <summary>Upper bound of the contrast factor.</summary>
    public double ContrastMax { get; init; } = 1.25;
    /// <summary>Probability of a horizontal flip (code: 0.5).</summary>
    public double FlipProbability { get; init; } = 0.5;
    /// <summary>
    /// True (code): the trainer applies the authors' data-loader augmentation on the device:
    /// labeled images get random scale + crop, colour jitter and flip; unlabeled and replay
    /// images (with labels and annotated masks) get random scale + crop and flip. Loaders must
    /// then hand over unaugmented batches. False: batches are used as given.
    /// </summary>
    public bool AugmentInputBatches { get; init; } = true;

    /// <summary>ClassMix (code: --apply_aug classmix). False skips mixing in the first unsupervised branch.</summary>
    public bool ClassMix { get; init; } = true;
    /// <summary>Head classes drawn per image by balanced ClassMix (code: 3 on CamVid and Cityscapes).</summary>
    public int BalancedHeadClasses { get; init; } = 3;
    /// <summary>Tail classes drawn per image by balanced ClassMix (code: 2 on CamVid, 3 on Cityscapes).</summary>
    public int BalancedTailClasses { get; init; } = 2;
    /// <summary>
    /// Head classes are the fewest most frequent labeled classes whose pixels make up at least
    /// this share of all labeled pixels; the rest are tail. 0.9 reproduces the authors'
    /// Cityscapes head list exactly and their CamVid list up to one class.
    /// </summary>
    public double HeadPixelShare { get; init; } = 0.9;
    /// <summary>
    /// Exponent beta of the within-group sampling weight w_c = f_c^-beta (f_c = smoothed share
    /// of labeled pixels of class c): 0 draws uniformly within head and tail as the code does,
    /// larger values favour rarer classes more.
    /// </summary>
    public double TailBias { get; init; } = 0.5;

    /// <summary>Label value of pixels without a class; excluded from every loss.</summary>
    public const int IgnoreIndex = 255;

    /// <summary>True if the step of <paramref name="epoch"/> (0-based within the cycle) uses only the supervised loss.</summary>
    public bool IsColdStart(int epoch) => epoch < ColdStartEpochs;

    /// <summary>True if cycle <paramref name="cycle"/> (0-based) fills the replay buffer (after the cold start).</summary>
    public bool FillsReplay(int cycle, int epoch) => cycle >= ReplayFromCycle && !IsColdStart(epoch);

    /// <summary>True if a step of <paramref name="cycle"/> and <paramref name="epoch"/> draws replay samples.</summary>
    public bool UsesReplay(int cycle, int epoch) => FillsReplay(cycle, epoch) && epoch >= ReplayWarmupEpochs;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public SslSettings Validate()
    {
        Positive(LearningRate, nameof(LearningRate));
        InRange(Momentum, 0, 1, nameof(Momentum), upperOpen: true);
        if (Nesterov && Momentum <= 0) Fail(nameof(Nesterov), "Nesterov momentum needs Momentum > 0");
        InRange(WeightDecay, 0, double.MaxValue, nameof(WeightDecay));
        InRange(MinLearningRate, 0, LearningRate, nameof(MinLearningRate));
        Positive(PolyPower, nameof(PolyPower));
        InRange(EmaDecay, 0, 1, nameof(EmaDecay), upperOpen: true);
        if (ColdStartEpochs < 0) Fail(nameof(ColdStartEpochs), $"{ColdStartEpochs} must be >= 0");
        Positive(ColdStartSupervisedWeight, nameof(ColdStartSupervisedWeight));
        if (ReplayWarmupEpochs < 0) Fail(nameof(ReplayWarmupEpochs), $"{ReplayWarmupEpochs} must be >= 0");
        if (ReplayFromCycle < 0) Fail(nameof(ReplayFromCycle), $"{ReplayFromCycle} must be >= 0");
        if (ReplayCapacity < 1) Fail(nameof(ReplayCapacity), $"{ReplayCapacity} must be >= 1");
        InRange(ConfidenceThreshold, 0, 1, nameof(ConfidenceThreshold));
        Positive(ScaleMin, nameof(ScaleMin));
        if (!(ScaleMax >= ScaleMin) || double.IsInfinity(ScaleMax)) Fail(nameof(ScaleMax), $"{ScaleMax} must be finite and >= ScaleMin ({ScaleMin})");
        InRange(ColorJitterProbability, 0, 1, nameof(ColorJitterProbability));
        InRange(BrightnessMin, 0, double.MaxValue, nameof(BrightnessMin));
        InRange(BrightnessMax, BrightnessMin, double.MaxValue, nameof(BrightnessMax));
        InRange(ContrastMin, 0, double.MaxValue, nameof(ContrastMin));
        InRange(ContrastMax, ContrastMin, double.MaxValue, nameof(ContrastMax));
        InRange(FlipProbability, 0, 1, nameof(FlipProbability));
        if (BalancedHeadClasses < 0) Fail(nameof(BalancedHeadClasses), $"{BalancedHeadClasses} must be >= 0");
        if (BalancedTailClasses < 0) Fail(nameof(BalancedTailClasses), $"{BalancedTailClasses} must be >= 0");
        if (BalancedHeadClasses + BalancedTailClasses == 0) Fail(nameof(BalancedTailClasses), "balanced ClassMix must draw at least one class (head + tail > 0)");
        InRange(HeadPixelShare, 0, 1, nameof(HeadPixelShare));
        InRange(TailBias, 0, 10, nameof(TailBias));
        return this;
    }

    static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value)) Fail(name, $"{value} must be a positive finite number");
    }

    static void InRange(double value, double lo, double hi, string name, bool upperOpen = false)
    {
        bool ok = value >= lo && (upperOpen ? value < hi : value <= hi) && !double.IsNaN(value);
        if (!ok) Fail(name, $"{value} must be in [{lo}, {hi}{(upperOpen ? ")" : "]")}");
    }

    static void Fail(string name, string message) =>
        throw new ArgumentException($"SslSettings.{name}: {message}", name);
}
