using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace S4AL.Learning.Networks;

/// <summary>
/// DeepLabv3+ on ResNet-50 at output stride 16, the authors' <c>DeepLabv3Plus_RN</c>
/// (<c>networks/deeplabv3_resnet.py</c>) on <c>resnet50_d16</c>, with the same module tree and keys
/// (<c>resnet_conv1.*</c>, <c>resnet_bn1.*</c>, <c>resnet_layer1..4.*</c>, <c>aspp_dl.*</c>,
/// <c>low_level_1x1.*</c>, <c>deeplabhead_classifier.*</c>). Forward returns logits at the input size.
/// </summary>
public sealed class DeepLabV3PlusResNet50 : DeepLabV3Plus
{
    private static readonly string[] TorchvisionTrunk = ["conv1.", "bn1.", "layer1.", "layer2.", "layer3.", "layer4."];

    private readonly Conv2d resnet_conv1;
    private readonly BatchNorm2d resnet_bn1;
    private readonly ReLU resnet_relu;
    private readonly MaxPool2d resnet_maxpool;
    private readonly Sequential resnet_layer1;
    private readonly Sequential resnet_layer2;
    private readonly Sequential resnet_layer3;
    private readonly Sequential resnet_layer4;
    private readonly ASPPModule aspp_dl;
    private readonly Sequential low_level_1x1;
    private readonly Sequential deeplabhead_classifier;

    /// <summary>Creates the network with a randomly initialised backbone (torchvision's init).</summary>
    public DeepLabV3PlusResNet50(int numClasses) : base(nameof(DeepLabV3PlusResNet50))
    {
        DeepLabV3PlusHead.ValidateNumClasses(numClasses);
        NumClasses = numClasses;
        (resnet_conv1, resnet_bn1, resnet_relu, resnet_maxpool) = ResNet.Stem();
        var layers = ResNet.Layers([false, false, true]);
        (resnet_layer1, resnet_layer2, resnet_layer3, resnet_layer4) = (layers[0], layers[1], layers[2], layers[3]);
        aspp_dl = new ASPPModule(ResNet.HighLevelChannels, DeepLabV3PlusHead.AtrousRatesOs16);
        low_level_1x1 = DeepLabV3PlusHead.LowLevelProjection(ResNet.LowLevelChannels);
        deeplabhead_classifier = DeepLabV3PlusHead.Classifier(numClasses);
        RegisterComponents();
        using (var noGrad = no_grad()) {
            ResNet.InitializeLikeTorchvision(resnet_conv1);
            ResNet.InitializeLikeTorchvision(resnet_bn1);
            foreach (var layer in layers) ResNet.InitializeLikeTorchvision(layer);
        }
    }

    /// <inheritdoc />
    public override NetworkKind Kind => NetworkKind.ResNet50;

    /// <inheritdoc />
    public override int NumClasses { get; }

    /// <inheritdoc />
    protected override (ASPPModule Aspp, Sequential LowLevel1x1, Sequential Classifier) Head => (aspp_dl, low_level_1x1, deeplabhead_classifier);

    /// <summary>
    /// The backbone's features: low-level (stride 4, 256 channels, layer1) and high-level
    /// (stride 16, 2048 channels, layer4).
    /// </summary>
    public override (Tensor Low, Tensor High) ExtractFeatures(Tensor imgs)
    {
        DeepLabV3PlusHead.ValidateInput(imgs, nameof(DeepLabV3PlusResNet50));
        using var scope = NewDisposeScope();
        var x = resnet_maxpool.call(resnet_relu.call(resnet_bn1.call(resnet_conv1.call(ChannelsLastActivations ? imgs.ToChannelsLast() : imgs))));
        var featLow = resnet_layer1.call(x);
        var featHigh = resnet_layer4.call(resnet_layer3.call(resnet_layer2.call(featLow)));
        return (featLow.MoveToOuterDisposeScope(), featHigh.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Loads torchvision <c>resnet50</c> ImageNet weights (<c>conv1</c>, <c>bn1</c>, <c>layer1..4</c>)
    /// into the backbone (<c>resnet_*</c>); the <c>fc.*</c> classifier keys are skipped.
    /// </summary>
    public override void LoadBackboneStateDict(string path) =>
        PyTorchStateDict.LoadMapped(this, path, entry: null, MapTorchvisionKey, key => key.StartsWith("resnet_", StringComparison.Ordinal));

    /// <summary>
    /// Where a torchvision <c>resnet50</c> key goes: <c>conv1</c>/<c>bn1</c>/<c>layerK</c> to
    /// <c>resnet_</c> plus the key; <c>fc.*</c> skipped.
    /// </summary>
    public static KeyMapping MapTorchvisionKey(string key)
    {
        if (key.StartsWith("fc.", StringComparison.Ordinal)) return KeyMapping.Skipped;
        return TorchvisionTrunk.Any(p => key.StartsWith(p, StringComparison.Ordinal))
            ? KeyMapping.To("resnet_" + key)
            : KeyMapping.Unknown;
    }
}
