using S4AL.Learning.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace S4AL.Learning.Pretraining;

/// <summary>
/// An image classifier made of a segmentation backbone, global average pooling and a linear
/// head, laid out with torchvision's module names so that its state dict is what
/// <see cref="SegmentationNetwork.LoadBackboneStateDict"/> reads as "ImageNet weights": the
/// backbone keys land in the DeepLab backbone and the head's keys (torchvision's
/// <c>classifier.*</c> / <c>fc.*</c>) are skipped by the loader.
/// The backbone is built exactly as DeepLabv3+ builds it (output stride 16, the same dilations),
/// so the pretrained filters see features at the scale they will be used at.
/// </summary>
public abstract class BackboneClassifier : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the module.</summary>
    protected BackboneClassifier(string name, int numClasses) : base(name)
    {
        if (numClasses < 2)
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "A classifier needs at least 2 classes.");
        NumClasses = numClasses;
    }

    /// <summary>The segmentation network whose backbone this classifier trains.</summary>
    public abstract NetworkKind Kind { get; }

    /// <summary>Number of classes of the linear head.</summary>
    public int NumClasses { get; }

    /// <summary>
    /// Prefix of the head's keys in the state dict (<c>classifier.</c> for MobileNetV2, <c>fc.</c> for
    /// ResNet-50); every other key belongs to the backbone.
    /// </summary>
    public abstract string HeadKeyPrefix { get; }

    /// <summary>True when the state-dict key belongs to the backbone (not the classification head).</summary>
    public bool IsBackboneKey(string key) => !key.StartsWith(HeadKeyPrefix, StringComparison.Ordinal);

    /// <summary>The classifier for a network kind; the Tiny network has no pretrainable backbone.</summary>
    public static BackboneClassifier Create(NetworkKind kind, int numClasses) => kind switch {
        NetworkKind.MobileNetV2 => new MobileNetV2Classifier(numClasses),
        NetworkKind.ResNet50 => new ResNet50Classifier(numClasses),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind,
            $"Pretraining supports {NetworkKind.MobileNetV2} and {NetworkKind.ResNet50} backbones, not {kind}."),
    };

    /// <summary>Global average pooling to [B, C].</summary>
    protected static Tensor GlobalAveragePool(Tensor features)
    {
        using var pooled = nn.functional.adaptive_avg_pool2d(features, [1, 1]);
        return pooled.flatten(1);
    }
}

/// <summary>
/// torchvision's <c>mobilenet_v2</c> layout on the DeepLab backbone: <c>features.0..17</c> (the
/// authors' dilated MobileNetV2 without the 1280-channel conv, which DeepLab drops) and
/// <c>classifier.1</c> (dropout, then linear from 320 channels; torchvision's index 1).
/// </summary>
public sealed class MobileNetV2Classifier : BackboneClassifier
{
    private readonly Sequential features;
    private readonly Sequential classifier;

    /// <summary>Creates the classifier with torchvision's initialisation.</summary>
    public MobileNetV2Classifier(int numClasses, double dropout = 0.2) : base(nameof(MobileNetV2Classifier), numClasses)
    {
        features = MobileNetV2.Features(MobileNetV2.DeepLabLayerCount);
        var linear = nn.Linear(MobileNetV2.HighLevelChannels, numClasses);
        using (no_grad()) {
            // torchvision's MobileNetV2 head init.
            nn.init.normal_(linear.weight, 0, 0.01);
            nn.init.zeros_(linear.bias!);
        }
        classifier = nn.Sequential(nn.Dropout(dropout), linear);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override NetworkKind Kind => NetworkKind.MobileNetV2;

    /// <inheritdoc />
    public override string HeadKeyPrefix => "classifier.";

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var pooled = GlobalAveragePool(features.call(x));
        return classifier.call(pooled).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// torchvision's <c>resnet50</c> layout on the DeepLab backbone: <c>conv1</c>, <c>bn1</c>,
/// <c>layer1..4</c> (layer4 dilated for output stride 16, as DeepLab builds it) and <c>fc</c>.
/// </summary>
public sealed class ResNet50Classifier : BackboneClassifier
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly ReLU relu;
    private readonly MaxPool2d maxpool;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly Linear fc;

    /// <summary>Creates the classifier with torchvision's initialisation.</summary>
    public ResNet50Classifier(int numClasses) : base(nameof(ResNet50Classifier), numClasses)
    {
        (conv1, bn1, relu, maxpool) = ResNet.Stem();
        var layers = ResNet.Layers([false, false, true]);
        (layer1, layer2, layer3, layer4) = (layers[0], layers[1], layers[2], layers[3]);
        fc = nn.Linear(ResNet.HighLevelChannels, numClasses);
        RegisterComponents();
        using (no_grad()) {
            ResNet.InitializeLikeTorchvision(conv1);
            ResNet.InitializeLikeTorchvision(bn1);
            foreach (var layer in layers) ResNet.InitializeLikeTorchvision(layer);
        }
    }

    /// <inheritdoc />
    public override NetworkKind Kind => NetworkKind.ResNet50;

    /// <inheritdoc />
    public override string HeadKeyPrefix => "fc.";

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = maxpool.call(relu.call(bn1.call(conv1.call(x))));
        h = layer4.call(layer3.call(layer2.call(layer1.call(h))));
        return fc.call(GlobalAveragePool(h)).MoveToOuterDisposeScope();
    }
}
