using S4AL.Learning.Networks;

namespace S4AL.Learning.Pretraining;

/// <summary>
/// How a backbone is pretrained on Fashion-MNIST classification. The defaults are a short
/// recipe for a CPU: SGD with momentum, linear warm-up then cosine decay per iteration.
/// </summary>
public sealed record PretrainSettings
{
    /// <summary>Smallest input side: the backbones have output stride 16.</summary>
    public const int MinImageSize = 16;

    /// <summary>Largest input side; beyond it the 28x28 items are only blurred up.</summary>
    public const int MaxImageSize = 256;

    /// <summary>The backbone to pretrain (MobileNetV2 or ResNet-50).</summary>
    public NetworkKind Network { get; init; } = NetworkKind.MobileNetV2;

    /// <summary>Side of the square network input; the 28x28 items are resized bilinearly to it.</summary>
    public int ImageSize { get; init; } = 64;

    /// <summary>Epochs; the learning-rate schedule spans all of them.</summary>
    public int Epochs { get; init; } = 2;

    /// <summary>Iterations per epoch; null means one pass over the training split (rounded up).</summary>
    public int? IterationsPerEpoch { get; init; }

    /// <summary>Images per iteration (at least 2: BatchNorm needs more than one value per channel).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Peak learning rate, reached at the end of the warm-up.</summary>
    public double LearningRate { get; init; } = 0.05;

    /// <summary>SGD momentum.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>L2 weight decay inside SGD.</summary>
    public double WeightDecay { get; init; } = 5e-5;

    /// <summary>Share of all iterations spent ramping the learning rate up linearly from near 0.</summary>
    public double WarmupShare { get; init; } = 0.03;

    /// <summary>
    /// Colour the grayscale items (random item and background colours, brightness, a smooth
    /// background texture, noise) as the segmentation scenes do; false feeds plain gray images.
    /// </summary>
    public bool ColourAugmentation { get; init; } = true;

    /// <summary>Test-split items the final accuracy is measured on; null means all of them.</summary>
    public int? TestItems { get; init; }

    /// <summary>Also measure the test accuracy after every epoch (costs one test pass per epoch).</summary>
    public bool EvaluateEveryEpoch { get; init; }

    /// <summary>Iterations between progress reports within an epoch (the end of an epoch is always reported).</summary>
    public int ReportEvery { get; init; } = 50;

    /// <summary>Lay conv weights out channels-last (faster with libtorch's oneDNN kernels on CPU).</summary>
    public bool ChannelsLast { get; init; } = true;

    /// <summary>Seeds the initial weights, the order of the items and every augmentation.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Folder of the Fashion-MNIST .gz files; null means <see cref="Data.FashionMnist.DefaultDirectory"/>.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that is out of range; returns this otherwise.</summary>
    public PretrainSettings Validate()
    {
        if (Network is not (NetworkKind.MobileNetV2 or NetworkKind.ResNet50))
            throw new ArgumentException($"{nameof(Network)} {Network}: pretraining supports {NetworkKind.MobileNetV2} and {NetworkKind.ResNet50} backbones", nameof(Network));
        if (ImageSize is < MinImageSize or > MaxImageSize)
            throw new ArgumentException($"{nameof(ImageSize)} {ImageSize}: must be in [{MinImageSize}, {MaxImageSize}] (the backbones have output stride 16)", nameof(ImageSize));
        if (Epochs < 1)
            throw new ArgumentException($"{nameof(Epochs)} {Epochs}: must be at least 1", nameof(Epochs));
        if (IterationsPerEpoch is < 1)
            throw new ArgumentException($"{nameof(IterationsPerEpoch)} {IterationsPerEpoch}: must be at least 1 (or null for one pass over the data)", nameof(IterationsPerEpoch));
        if (BatchSize < 2)
            throw new ArgumentException($"{nameof(BatchSize)} {BatchSize}: must be at least 2 (BatchNorm needs more than one image)", nameof(BatchSize));
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
            throw new ArgumentException($"{nameof(LearningRate)} {LearningRate}: must be a positive number", nameof(LearningRate));
        if (!(Momentum >= 0 && Momentum < 1))
            throw new ArgumentException($"{nameof(Momentum)} {Momentum}: must be in [0, 1)", nameof(Momentum));
        if (!(WeightDecay >= 0) || !double.IsFinite(WeightDecay))
            throw new ArgumentException($"{nameof(WeightDecay)} {WeightDecay}: must be a non-negative number", nameof(WeightDecay));
        if (!(WarmupShare >= 0 && WarmupShare < 1))
            throw new ArgumentException($"{nameof(WarmupShare)} {WarmupShare}: must be in [0, 1)", nameof(WarmupShare));
        if (TestItems is < 1)
            throw new ArgumentException($"{nameof(TestItems)} {TestItems}: must be at least 1 (or null for the whole test split)", nameof(TestItems));
        if (ReportEvery < 1)
            throw new ArgumentException($"{nameof(ReportEvery)} {ReportEvery}: must be at least 1", nameof(ReportEvery));
        return this;
    }
}
