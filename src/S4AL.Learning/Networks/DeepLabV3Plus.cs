using TorchSharp.Modules;
using static TorchSharp.torch;

namespace S4AL.Learning.Networks;

/// <summary>
/// DeepLabv3+ on some backbone: the backbone's low- and high-level features, then the shared
/// decoder (<see cref="DeepLabV3PlusHead.Decode"/>). Each network keeps the head's modules as its
/// own fields, so the state-dict keys are the authors' (<c>aspp_dl.*</c>, <c>low_level_1x1.*</c>,
/// <c>deeplabhead_classifier.*</c>), and hands them to the forward through <see cref="Head"/>.
/// </summary>
public abstract class DeepLabV3Plus : SegmentationNetwork
{
    protected DeepLabV3Plus(string name) : base(name) { }

    /// <summary>The decoder's modules: ASPP, the 1x1 projection of the low-level features, the classifier.</summary>
    protected abstract (ASPPModule Aspp, Sequential LowLevel1x1, Sequential Classifier) Head { get; }

    /// <summary>The backbone's low-level (stride 4) and high-level (stride 16) features.</summary>
    public abstract (Tensor Low, Tensor High) ExtractFeatures(Tensor imgs);

    /// <inheritdoc />
    public sealed override Tensor forward(Tensor imgs)
    {
        using var scope = NewDisposeScope();
        var (featLow, featHigh) = ExtractFeatures(imgs);
        var (aspp, lowLevel1x1, classifier) = Head;
        return DeepLabV3PlusHead.Decode(featHigh, featLow, aspp, lowLevel1x1, classifier, imgs.shape[2], imgs.shape[3])
            .MoveToOuterDisposeScope();
    }
}
