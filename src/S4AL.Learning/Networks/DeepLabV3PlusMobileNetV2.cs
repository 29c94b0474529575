using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace S4AL.Learning.Networks;

/// <summary>
/// DeepLabv3+ on MobileNetV2 at output stride 16, the authors' <c>DeepLabv3Plus_MB</c>
/// (<c>networks/deeplabv3_mb.py</c>) with the same module tree and keys (<c>network.*</c>,
/// <c>aspp_dl.*</c>, <c>low_level_1x1.*</c>, <c>deeplabhead_classifier.*</c>), so the authors'
/// checkpoints load as they are. Forward returns logits at the input size.
/// </summary>
public sealed class DeepLabV3PlusMobileNetV2 : DeepLabV3Plus
{
    private readonly Sequential network;
    private readonly ASPPModule aspp_dl;
    private readonly Sequential low_level_1x1;
    private readonly Sequential deeplabhead_classifier;

    /// <summary>Creates the network with a randomly initialised backbone (torchvision's init).</summary>
    public DeepLabV3PlusMobileNetV2(int numClasses) : base(nameof(DeepLabV3PlusMobileNetV2))
    {
        DeepLabV3PlusHead.ValidateNumClasses(numClasses);
        NumClasses = numClasses;
        network = MobileNetV2.Features(MobileNetV2.DeepLabLayerCount);
        aspp_dl = new ASPPModule(MobileNetV2.HighLevelChannels, DeepLabV3PlusHead.AtrousRatesOs16);
        low_level_1x1 = DeepLabV3PlusHead.LowLevelProjection(MobileNetV2.LowLevelChannels);
        deeplabhead_classifier = DeepLabV3PlusHead.Classifier(numClasses);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override NetworkKind Kind => NetworkKind.MobileNetV2;

    /// <inheritdoc />
    public override int NumClasses { get; }

    /// <inheritdoc />
    protected override (ASPPModule Aspp, Sequential LowLevel1x1, Sequential Classifier) Head => (aspp_dl, low_level_1x1, deeplabhead_classifier);

    /// <summary>
    /// The backbone's features: low-level (stride 4, 24 channels, <c>network[0:4]</c>) and
    /// high-level (stride 16, 320 channels, <c>network[4:]</c>).
    /// </summary>
    public override (Tensor Low, Tensor High) ExtractFeatures(Tensor imgs)
    {
        DeepLabV3PlusHead.ValidateInput(imgs, nameof(DeepLabV3PlusMobileNetV2));
        using var scope = NewDisposeScope();
        var featLow = RunLayers(ChannelsLastActivations ? imgs.ToChannelsLast() : imgs, 0, MobileNetV2.LowLevelEnd);
        var featHigh = RunLayers(featLow, MobileNetV2.LowLevelEnd, network.Count);
        return (featLow.MoveToOuterDisposeScope(), featHigh.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Loads torchvision <c>mobilenet_v2</c> ImageNet weights (<c>features.N.*</c>) into the backbone
    /// (<c>network.N.*</c>). <c>features.18</c> (the 1280-channel conv the authors drop) and the
    /// <c>classifier.*</c> keys are skipped.
    /// </summary>
    public override void LoadBackboneStateDict(string path) =>
        PyTorchStateDict.LoadMapped(this, path, entry: null, MapTorchvisionKey, key => key.StartsWith("network.", StringComparison.Ordinal));

    /// <summary>
    /// Where a torchvision <c>mobilenet_v2</c> key goes: <c>features.N.*</c> (N &lt; 18) to
    /// <c>network.N.*</c>; <c>features.18.*</c> and <c>classifier.*</c> skipped.
    /// </summary>
    public static KeyMapping MapTorchvisionKey(string key)
    {
        if (key.StartsWith("classifier.", StringComparison.Ordinal)) return KeyMapping.Skipped;
        const string prefix = "features.";
        if (!key.StartsWith(prefix, StringComparison.Ordinal)) return KeyMapping.Unknown;
        var rest = key[prefix.Length..];
        var dot = rest.IndexOf('.');
        if (dot <= 0 || !int.TryParse(rest[..dot], System.Globalization.NumberStyles.None, null, out var index)) return KeyMapping.Unknown;
        if (index == MobileNetV2.DeepLabLayerCount) return KeyMapping.Skipped;
        return index < MobileNetV2.DeepLabLayerCount ? KeyMapping.To("network." + rest) : KeyMapping.Unknown;
    }

    private Tensor RunLayers(Tensor x, int start, int end)
    {
        using var scope = NewDisposeScope();
        var current = x;
        for (var i = start; i < end; i++)
            current = network[i].call(current);
        return current.MoveToOuterDisposeScope();
    }
}
