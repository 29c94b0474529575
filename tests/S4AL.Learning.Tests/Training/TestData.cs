using S4AL.Learning.Data.Batches;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Training;

/// <summary>
/// A small synthetic pool: label maps of random rectangles, images whose colour is a fixed
/// function of the class plus noise (so a network can learn it), normalized like real batches.
/// </summary>
sealed class TestPool : IDisposable
{
    public TestPool(int count, int height, int width, int numClasses, int seed, double annotatedShare = 0.3)
    {
        var rng = new Random(seed);
        var labels = new long[count * height * width];
        var annotated = new bool[count * height * width];
        var images = new float[count * 3 * height * width];
        var colours = Enumerable.Range(0, numClasses).Select(c => new[] { (float)((c * 37 % 11) / 10.0), (float)((c * 53 % 7) / 6.0), (float)((c * 11 % 5) / 4.0) }).ToArray();
        for (int n = 0; n < count; n++)
        {
            int background = rng.Next(numClasses);
            var map = new int[height, width];
            for (int y = 0; y < height; y++) for (int x = 0; x < width; x++) map[y, x] = background;
            for (int r = 0; r < 3; r++)
            {
                int c = rng.Next(numClasses), y0 = rng.Next(height), x0 = rng.Next(width);
                int h = 2 + rng.Next(height / 2), w = 2 + rng.Next(width / 2);
                for (int y = y0; y < Math.Min(height, y0 + h); y++) for (int x = x0; x < Math.Min(width, x0 + w); x++) map[y, x] = c;
            }
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    int p = (n * height + y) * width + x;
                    bool ignore = rng.NextDouble() < 0.02;
                    labels[p] = ignore ? 255 : map[y, x];
                    annotated[p] = rng.NextDouble() < annotatedShare;
                    for (int ch = 0; ch < 3; ch++)
                    {
                        float v = colours[map[y, x]][ch] + (float)(rng.NextDouble() - 0.5) * 0.1f;
                        float mean = new[] { 0.485f, 0.456f, 0.406f }[ch], std = new[] { 0.229f, 0.224f, 0.225f }[ch];
                        images[((n * 3 + ch) * height + y) * width + x] = (v - mean) / std;
                    }
                }
        }
        Images = tensor(images, [count, 3, height, width]).DetachFromDisposeScope();
        Labels = tensor(labels, [count, height, width]).DetachFromDisposeScope();
        Annotated = tensor(annotated, [count, height, width]).DetachFromDisposeScope();
        Count = count;
    }

    public int Count { get; }
    public Tensor Images { get; }
    public Tensor Labels { get; }
    public Tensor Annotated { get; }

    /// <summary>A batch of the given images; <paramref name="fullyLabeled"/> marks every pixel annotated.</summary>
    public SegmentationBatch Batch(int[] indices, bool fullyLabeled = false)
    {
        using var scope = NewDisposeScope();
        var index = tensor(indices.Select(i => (long)i).ToArray());
        var labels = Labels.index_select(0, index);
        var annotated = fullyLabeled ? ones_like(labels, ScalarType.Bool) : Annotated.index_select(0, index);
        return new SegmentationBatch(Images.index_select(0, index).MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope(), annotated.MoveToOuterDisposeScope(), indices);
    }

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
        Annotated.Dispose();
    }
}
