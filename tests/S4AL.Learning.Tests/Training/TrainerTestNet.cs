using S4AL.Learning.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace S4AL.Learning.Tests.Training;

/// <summary>
/// A tiny segmentation network for trainer tests: two conv + batch-norm blocks (the second at
/// stride 2, so the bilinear upsampling to the input size is real), dropout and a 1x1 classifier.
/// </summary>
sealed class TrainerTestNet : SegmentationNetwork
{
    readonly Conv2d conv1;
    readonly BatchNorm2d bn1;
    readonly Conv2d conv2;
    readonly BatchNorm2d bn2;
    readonly Dropout dropout;
    readonly Conv2d classifier;
    readonly int _numClasses;

    /// <param name="channelsLast">Lay the conv weights out NHWC (strides only, shapes unchanged), as the real networks do for oneDNN; state saving must cope with such non-contiguous tensors.</param>
    public TrainerTestNet(int numClasses, int width = 8, bool channelsLast = false) : base(nameof(TrainerTestNet))
    {
        _numClasses = numClasses;
        conv1 = nn.Conv2d(3, width, 3, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(width);
        conv2 = nn.Conv2d(width, width, 3, stride: 2, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(width);
        // Like DeepLab's head: dropout draws from torch's global generator, which the trainer must reseed per step.
        dropout = nn.Dropout(0.1);
        classifier = nn.Conv2d(width, numClasses, 1);
        RegisterComponents();
        if (channelsLast)
        {
            using var _ = no_grad();
            foreach (var p in parameters().Where(p => p.dim() == 4))
                p.set_(p.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2));
        }
    }

    public override NetworkKind Kind => NetworkKind.Tiny;
    public override int NumClasses => _numClasses;

    public override void LoadBackboneStateDict(string path) =>
        throw new NotSupportedException("the test network has no pretrained backbone");

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = relu(bn1.forward(conv1.forward(x)));
        h = relu(bn2.forward(conv2.forward(h)));
        var logits = classifier.forward(dropout.forward(h));
        return interpolate(logits, [x.shape[2], x.shape[3]], mode: InterpolationMode.Bilinear, align_corners: true).MoveToOuterDisposeScope();
    }
}
