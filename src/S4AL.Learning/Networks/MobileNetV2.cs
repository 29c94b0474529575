using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace S4AL.Learning.Networks;

/// <summary>
/// The MobileNetV2 feature extractor of the authors' <c>networks/mobilenetv2.py</c>: torchvision's
/// layers and key names (<c>N.0.weight</c>, <c>N.conv.1.1.running_mean</c>, ...), with the authors'
/// change for output stride 16: the 160-channel stage keeps stride 1 (torchvision: 2) and the
/// 320-channel block uses dilation 2. Only the layers are built; the DeepLab network holds them in
/// its own <c>network</c> Sequential, as the authors' <c>features[:-1]</c>.
/// </summary>
public static class MobileNetV2
{
    /// <summary>Index of the first layer after the low-level (stride 4, 24-channel) features.</summary>
    public const int LowLevelEnd = 4;

    /// <summary>Number of feature layers the DeepLab network keeps (torchvision's 19 minus the 1280-channel 1x1 conv).</summary>
    public const int DeepLabLayerCount = 18;

    /// <summary>Channels of the low-level features (output of layer 3).</summary>
    public const int LowLevelChannels = 24;

    /// <summary>Channels of the high-level features (output of layer 17).</summary>
    public const int HighLevelChannels = 320;

    // t (expansion), c (channels), n (repeats), s (stride), d (dilation): the authors' table.
    private static readonly int[][] InvertedResidualSetting =
    [
        [1, 16, 1, 1, 1],
        [6, 24, 2, 2, 1],
        [6, 32, 3, 2, 1],
        [6, 64, 4, 2, 1],
        [6, 96, 3, 1, 1],
        [6, 160, 3, 1, 1],
        [6, 320, 1, 1, 2],
    ];

    /// <summary>
    /// The first <paramref name="count"/> feature layers (19 is torchvision's full <c>features</c>,
    /// 18 what DeepLab keeps), initialised as torchvision does (Kaiming-normal fan-out convs,
    /// BatchNorm 1/0) so an un-pretrained backbone starts like the authors'.
    /// </summary>
    public static Sequential Features(int count = DeepLabLayerCount)
    {
        if (count < 1 || count > 19)
            throw new ArgumentOutOfRangeException(nameof(count), count, "MobileNetV2 has 19 feature layers.");
        var layers = new List<nn.Module<Tensor, Tensor>>();
        var inputChannel = MakeDivisible(32, 8);
        const int lastChannel = 1280;
        layers.Add(ConvBNReLU(3, inputChannel, stride: 2));
        foreach (var row in InvertedResidualSetting) {
            var (t, c, n, s, d) = (row[0], row[1], row[2], row[3], row[4]);
            var outputChannel = MakeDivisible(c, 8);
            for (var i = 0; i < n; i++) {
                layers.Add(new InvertedResidual(inputChannel, outputChannel, i == 0 ? s : 1, t, d));
                inputChannel = outputChannel;
            }
        }
        layers.Add(ConvBNReLU(inputChannel, lastChannel, kernelSize: 1));

        foreach (var extra in layers.Skip(count)) extra.Dispose();
        var features = nn.Sequential(layers.Take(count));
        InitializeLikeTorchvision(features);
        return features;
    }

    /// <summary>Conv (no bias), BatchNorm, in-place ReLU6; padding keeps the size for any dilation.</summary>
    public static Sequential ConvBNReLU(long inPlanes, long outPlanes, long kernelSize = 3, long stride = 1, long dilation = 1, long groups = 1)
    {
        var effectiveKernel = kernelSize + (kernelSize - 1) * (dilation - 1);
        var padding = (effectiveKernel - 1) / 2;
        return nn.Sequential(
            nn.Conv2d(inPlanes, outPlanes, kernelSize, stride: stride, padding: padding, dilation: dilation, groups: groups, bias: false),
            nn.BatchNorm2d(outPlanes),
            nn.ReLU6(inplace: true));
    }

    /// <summary>The TF-slim channel rounding torchvision uses (to a multiple of the divisor, never down by more than 10%).</summary>
    internal static int MakeDivisible(double value, int divisor)
    {
        var rounded = Math.Max(divisor, (int)(value + divisor / 2.0) / divisor * divisor);
        if (rounded < 0.9 * value) rounded += divisor;
        return rounded;
    }

    internal static void InitializeLikeTorchvision(nn.Module module)
    {
        using var noGrad = no_grad();
        foreach (var (_, m) in module.named_modules()) {
            switch (m) {
            case Conv2d conv:
                nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
                if (conv.bias is not null) nn.init.zeros_(conv.bias);
                break;
            case BatchNorm2d bn:
                nn.init.ones_(bn.weight);
                if (bn.bias is not null) nn.init.zeros_(bn.bias);
                break;
            }
        }
    }
}

/// <summary>
/// MobileNetV2's inverted residual block (1x1 expand, 3x3 depthwise, 1x1 linear project), with the
/// authors' dilation on the depthwise conv. Field names match torchvision's so keys match.
/// </summary>
public sealed class InvertedResidual : nn.Module<Tensor, Tensor>
{
    private readonly Sequential conv;
    private readonly bool useResConnect;

    /// <summary>Creates the block; <paramref name="stride"/> must be 1 or 2.</summary>
    public InvertedResidual(long inp, long oup, long stride, int expandRatio, long dilation = 1) : base(nameof(InvertedResidual))
    {
        if (stride is not (1 or 2))
            throw new ArgumentOutOfRangeException(nameof(stride), stride, "InvertedResidual stride must be 1 or 2.");
        var hiddenDim = (long)Math.Round((double)inp * expandRatio);
        useResConnect = stride == 1 && inp == oup;

        var layers = new List<nn.Module<Tensor, Tensor>>();
        if (expandRatio != 1)
            layers.Add(MobileNetV2.ConvBNReLU(inp, hiddenDim, kernelSize: 1));
        layers.Add(MobileNetV2.ConvBNReLU(hiddenDim, hiddenDim, stride: stride, dilation: dilation, groups: hiddenDim));
        layers.Add(nn.Conv2d(hiddenDim, oup, 1, bias: false));
        layers.Add(nn.BatchNorm2d(oup));
        conv = nn.Sequential(layers);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        if (!useResConnect) return AtrousConvolution.RunSequential(conv, x);
        using var branch = AtrousConvolution.RunSequential(conv, x);
        return x.add(branch);
    }
}
