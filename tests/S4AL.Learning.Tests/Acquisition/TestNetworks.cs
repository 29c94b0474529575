using S4AL.Learning.Data.Batches;
using S4AL.Learning.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Acquisition;

/// <summary>
/// A stand-in segmentation network for tests (the real ones are built elsewhere): a strided
/// convolution, a 1x1 classifier, bilinear upsampling to the input size. Records the mode it
/// was last run in, so tests can check that scoring and evaluation use eval + inference mode.
/// </summary>
internal sealed class TinyTestNetwork : SegmentationNetwork
{
    readonly Conv2d conv1;
    readonly Conv2d classifier;
    readonly int _numClasses;

    public TinyTestNetwork(int numClasses, long seed) : base(nameof(TinyTestNetwork))
    {
        _numClasses = numClasses;
        random.manual_seed(seed);
        conv1 = nn.Conv2d(3, 8, 3, stride: 2, padding: 1);
        classifier = nn.Conv2d(8, numClasses, 1);
        RegisterComponents();
    }

    public override NetworkKind Kind => NetworkKind.Tiny;
    public override int NumClasses => _numClasses;
    public override void LoadBackboneStateDict(string path) => throw new NotSupportedException("test network");

    public int Forwards { get; private set; }
    public bool LastForwardTraining { get; private set; }
    public bool LastForwardInference { get; private set; }

    public override Tensor forward(Tensor x)
    {
        Forwards++;
        LastForwardTraining = training;
        LastForwardInference = is_inference_mode_enabled();
        using var scope = NewDisposeScope();
        // x3 spreads the logits of a fresh network so scores differ visibly between regions.
        var logits = classifier.call(nn.functional.relu(conv1.call(x))) * 3;
        return nn.functional.interpolate(logits, [x.shape[2], x.shape[3]], mode: InterpolationMode.Bilinear, align_corners: true)
            .MoveToOuterDisposeScope();
    }
}

/// <summary>Deterministic synthetic pool: image i is always the same, whatever batch it is in.</summary>
internal sealed class TestPool(int height, int width, int numClasses)
{
    public int Height { get; } = height;
    public int Width { get; } = width;
    public List<int[]> Requests { get; } = new();

    public SegmentationBatch Batch(IReadOnlyList<int> indices)
    {
        Requests.Add(indices.ToArray());
        using var scope = NewDisposeScope();
        var images = new List<Tensor>();
        var labels = new List<Tensor>();
        foreach (var i in indices)
        {
            var g = new Generator((ulong)(1000 + i));
            images.Add(rand([3, Height, Width], generator: g) * 2 - 1);
            var label = randint(0, numClasses, [Height, Width], generator: g);
            // Some ignore pixels, as in real label maps.
            label[0, TensorIndex.Slice(0, 3)].fill_(255);
            labels.Add(label);
        }
        var imageBatch = stack(images);
        var labelBatch = stack(labels).to(int64);
        var annotated = ones_like(labelBatch, dtype: ScalarType.Bool);
        return new SegmentationBatch(imageBatch.MoveToOuterDisposeScope(), labelBatch.MoveToOuterDisposeScope(),
            annotated.MoveToOuterDisposeScope(), indices.ToArray());
    }
}
