using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace S4AL.Learning.Networks;

/// <summary>
/// A segmentation network of about four thousand parameters for tests and quick experiments:
/// two stride-2 conv/BN/ReLU stages, one dilated stage, a 1x1 classifier, bilinear upsampling
/// (align_corners = true) to the input size. Keys: <c>features.*</c> (its "backbone") and
/// <c>classifier.*</c>.
/// </summary>
public sealed class TinySegNet : SegmentationNetwork
{
    private readonly Sequential features;
    private readonly Conv2d classifier;

    /// <summary>Creates the network.</summary>
    public TinySegNet(int numClasses, int width = 16) : base(nameof(TinySegNet))
    {
        DeepLabV3PlusHead.ValidateNumClasses(numClasses);
        if (width < 2)
            throw new ArgumentOutOfRangeException(nameof(width), width, "TinySegNet needs a width of at least 2.");
        NumClasses = numClasses;
        var half = width / 2;
        features = nn.Sequential(
            nn.Conv2d(3, half, 3, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(half), nn.ReLU(inplace: true),
            nn.Conv2d(half, width, 3, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(width), nn.ReLU(inplace: true),
            nn.Conv2d(width, width, 3, padding: 2, dilation: 2, bias: false), nn.BatchNorm2d(width), nn.ReLU(inplace: true));
        classifier = nn.Conv2d(width, numClasses, 1);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override NetworkKind Kind => NetworkKind.Tiny;

    /// <inheritdoc />
    public override int NumClasses { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        DeepLabV3PlusHead.ValidateInput(x, nameof(TinySegNet));
        using var scope = NewDisposeScope();
        var logits = classifier.call(AtrousConvolution.RunSequential(features, x));
        return nn.functional.interpolate(logits, [x.shape[2], x.shape[3]], mode: InterpolationMode.Bilinear, align_corners: true)
            .contiguous()
            .MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Loads <c>features.*</c> from a state dict of another TinySegNet of the same width (there
    /// are no ImageNet weights for it); <c>classifier.*</c> keys are skipped so the class count
    /// may differ.
    /// </summary>
    public override void LoadBackboneStateDict(string path) =>
        PyTorchStateDict.LoadMapped(this, path, entry: null, MapBackboneKey, key => key.StartsWith("features.", StringComparison.Ordinal));

    private static KeyMapping MapBackboneKey(string key) =>
        key.StartsWith("classifier.", StringComparison.Ordinal) ? KeyMapping.Skipped
        : key.StartsWith("features.", StringComparison.Ordinal) ? KeyMapping.To(key)
        : KeyMapping.Unknown;
}
