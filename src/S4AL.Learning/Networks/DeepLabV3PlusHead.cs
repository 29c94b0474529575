using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace S4AL.Learning.Networks;

/// <summary>
/// The DeepLabv3+ decoder shared by the authors' <c>DeepLabv3Plus_MB</c> and <c>DeepLabv3Plus_RN</c>:
/// ASPP on the stride-16 features, upsampled (align_corners = true) to the stride-4 low-level
/// features projected to 48 channels, concatenated, a 3x3 256-channel conv and a 1x1 classifier.
/// The modules live as fields of each network (so the keys are the authors'); this class only
/// builds them and runs the decoder.
/// </summary>
public static class DeepLabV3PlusHead
{
    /// <summary>Channels of the projected low-level features.</summary>
    public const int LowLevelProjectionChannels = 48;

    /// <summary>Channels of the ASPP output and of the head.</summary>
    public const int HeadChannels = 256;

    /// <summary>ASPP atrous rates at output stride 16.</summary>
    public static readonly IReadOnlyList<long> AtrousRatesOs16 = [6, 12, 18];

    /// <summary>The 1x1 projection of the low-level features (<c>low_level_1x1</c>).</summary>
    public static Sequential LowLevelProjection(long lowLevelChannels) =>
        nn.Sequential(
            nn.Conv2d(lowLevelChannels, LowLevelProjectionChannels, 1, bias: false),
            nn.BatchNorm2d(LowLevelProjectionChannels),
            nn.ReLU(inplace: true));

    /// <summary>The head (<c>deeplabhead_classifier</c>): 3x3 conv to 256, BatchNorm, ReLU, 1x1 conv to the classes.</summary>
    public static Sequential Classifier(int numClasses) =>
        nn.Sequential(
            nn.Conv2d(HeadChannels + LowLevelProjectionChannels, HeadChannels, 3, padding: 1, bias: false),
            nn.BatchNorm2d(HeadChannels),
            nn.ReLU(inplace: true),
            nn.Conv2d(HeadChannels, numClasses, 1));

    /// <summary>
    /// Runs the decoder and upsamples the stride-4 logits to <paramref name="outputHeight"/> x
    /// <paramref name="outputWidth"/> (bilinear, align_corners = true, as the authors before every loss).
    /// </summary>
    public static Tensor Decode(
        Tensor featHigh, Tensor featLow, ASPPModule aspp, Sequential lowLevel1x1, Sequential classifier,
        long outputHeight, long outputWidth)
    {
        using var scope = NewDisposeScope();
        var featAspp = aspp.call(featHigh);
        var projected = lowLevel1x1.call(featLow);
        var prediction = Classify(classifier, featAspp, projected);
        var logits = nn.functional.interpolate(
            prediction, [outputHeight, outputWidth], mode: InterpolationMode.Bilinear, align_corners: true);
        // Channels-last networks produce channels-last logits; callers read logits as plain
        // row-major [B,C,H,W] (data<float>(), views), so hand them that. No copy otherwise.
        return logits.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// classifier(cat([upsample(featAspp), projected], 1)), the upsampling bilinear with
    /// align_corners = true to the projected features' size. The first conv runs through
    /// <see cref="UpsampledConvolution"/>, which never materialises the upsampled map: that conv
    /// on 256 upsampled channels at stride 4 was most of the network's arithmetic.
    /// </summary>
    public static Tensor Classify(Sequential classifier, Tensor featAspp, Tensor projected)
    {
        using var scope = NewDisposeScope();
        var layers = classifier.named_children().Select(child => child.module).ToArray();
        if (layers.Length == 0 || layers[0] is not Conv2d first)
            throw new InvalidOperationException("the DeepLabv3+ classifier must start with its 3x3 conv");
        var current = UpsampledConvolution.Forward(first, featAspp, projected);
        foreach (var layer in layers.Skip(1))
            current = layer is nn.Module<Tensor, Tensor> m ? m.call(current)
                : throw new InvalidOperationException($"{layer.GetType().Name} in the DeepLabv3+ classifier is not a Tensor -> Tensor module");
        return current.MoveToOuterDisposeScope();
    }

    internal static void ValidateInput(Tensor x, string network)
    {
        if (x.dim() != 4 || x.shape[1] != 3)
            throw new ArgumentException(
                $"{network} expects images [B,3,H,W]; got [{string.Join(", ", x.shape)}].", nameof(x));
    }

    internal static void ValidateNumClasses(int numClasses)
    {
        if (numClasses < 1)
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "A segmentation network needs at least one class.");
    }
}
