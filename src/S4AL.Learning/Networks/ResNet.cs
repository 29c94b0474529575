using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace S4AL.Learning.Networks;

/// <summary>
/// The ResNet-50 trunk of the authors' <c>networks/resnet.py</c> (torchvision's ResNet v1.5: stride
/// on the 3x3 conv of the bottleneck). For output stride 16 the authors' <c>resnet50_d16</c>
/// patches layer4 after construction (<c>nostride_dilate</c>); that yields exactly torchvision's
/// <c>replace_stride_with_dilation=[False, False, True]</c> (layer4.0: stride 1, dilation 1;
/// layer4.1-2: dilation 2), which is what is built here.
/// </summary>
public static class ResNet
{
    /// <summary>Channels of the low-level features (output of layer1).</summary>
    public const int LowLevelChannels = 256;

    /// <summary>Channels of the high-level features (output of layer4).</summary>
    public const int HighLevelChannels = 2048;

    /// <summary>The stem of ResNet-50: 7x7 stride-2 conv, BatchNorm, in-place ReLU, 3x3 stride-2 max-pool.</summary>
    public static (Conv2d Conv1, BatchNorm2d Bn1, ReLU Relu, MaxPool2d MaxPool) Stem() =>
        (nn.Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false),
         nn.BatchNorm2d(64),
         nn.ReLU(inplace: true),
         nn.MaxPool2d(3, stride: 2, padding: 1));

    /// <summary>
    /// layer1..layer4 of ResNet-50 (3, 4, 6, 3 bottlenecks). Each flag of
    /// <paramref name="replaceStrideWithDilation"/> turns the stride 2 of layer2/3/4 into dilation.
    /// </summary>
    public static Sequential[] Layers(bool[]? replaceStrideWithDilation = null)
    {
        replaceStrideWithDilation ??= [false, false, false];
        if (replaceStrideWithDilation.Length != 3)
            throw new ArgumentException($"replaceStrideWithDilation needs 3 flags, got {replaceStrideWithDilation.Length}.", nameof(replaceStrideWithDilation));
        var builder = new LayerBuilder();
        return
        [
            builder.MakeLayer(64, 3),
            builder.MakeLayer(128, 4, stride: 2, dilate: replaceStrideWithDilation[0]),
            builder.MakeLayer(256, 6, stride: 2, dilate: replaceStrideWithDilation[1]),
            builder.MakeLayer(512, 3, stride: 2, dilate: replaceStrideWithDilation[2]),
        ];
    }

    /// <summary>torchvision's ResNet initialisation: Kaiming-normal fan-out convs, BatchNorm 1/0.</summary>
    public static void InitializeLikeTorchvision(nn.Module module) => MobileNetV2.InitializeLikeTorchvision(module);

    // torchvision's ResNet._make_layer, whose running inplanes/dilation are state of the builder.
    private sealed class LayerBuilder
    {
        private long inplanes = 64;
        private long dilation = 1;

        public Sequential MakeLayer(long planes, int blocks, long stride = 1, bool dilate = false)
        {
            Sequential? downsample = null;
            var previousDilation = dilation;
            if (dilate) {
                dilation *= stride;
                stride = 1;
            }
            if (stride != 1 || inplanes != planes * Bottleneck.Expansion) {
                downsample = nn.Sequential(
                    nn.Conv2d(inplanes, planes * Bottleneck.Expansion, 1, stride: stride, bias: false),
                    nn.BatchNorm2d(planes * Bottleneck.Expansion));
            }
            var layers = new List<nn.Module<Tensor, Tensor>> { new Bottleneck(inplanes, planes, stride, downsample, previousDilation) };
            inplanes = planes * Bottleneck.Expansion;
            for (var i = 1; i < blocks; i++)
                layers.Add(new Bottleneck(inplanes, planes, 1, null, dilation));
            return nn.Sequential(layers);
        }
    }
}

/// <summary>torchvision's Bottleneck block (ResNet v1.5); field names match its keys.</summary>
public sealed class Bottleneck : nn.Module<Tensor, Tensor>
{
    /// <summary>Output channels are planes times this.</summary>
    public const int Expansion = 4;

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Conv2d conv3;
    private readonly BatchNorm2d bn3;
    private readonly ReLU relu;
    private readonly Sequential? downsample;

    /// <summary>Creates the block; <paramref name="downsample"/> projects the identity when shape changes.</summary>
    public Bottleneck(long inplanes, long planes, long stride = 1, Sequential? downsample = null, long dilation = 1) : base(nameof(Bottleneck))
    {
        var width = planes;
        conv1 = nn.Conv2d(inplanes, width, 1, bias: false);
        bn1 = nn.BatchNorm2d(width);
        conv2 = nn.Conv2d(width, width, 3, stride: stride, padding: dilation, dilation: dilation, bias: false);
        bn2 = nn.BatchNorm2d(width);
        conv3 = nn.Conv2d(width, planes * Expansion, 1, bias: false);
        bn3 = nn.BatchNorm2d(planes * Expansion);
        relu = nn.ReLU(inplace: true);
        this.downsample = downsample;
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var @out = relu.call(bn1.call(conv1.call(x)));
        @out = relu.call(bn2.call(AtrousConvolution.Forward(conv2, @out)));
        @out = bn3.call(conv3.call(@out));
        var identity = downsample is null ? x : downsample.call(x);
        // In place, as torchvision's `out += identity`: saves one feature-map allocation per block.
        @out.add_(identity);
        return relu.call(@out).MoveToOuterDisposeScope();
    }
}
