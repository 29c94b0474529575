using S4AL.Learning.Data.Batches;
using S4AL.Learning.Data.Scenes;
using S4AL.Learning.Pretraining;
using S4AL.Learning.Tests.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Pretraining;

public sealed class FashionMnistImageBatcherTests
{
    static Tensor Unnormalize(Tensor images) =>
        images * tensor(BatchBuilder.ImageNetStd.ToArray()).view(1, 3, 1, 1) + tensor(BatchBuilder.ImageNetMean.ToArray()).view(1, 3, 1, 1);

    [Fact]
    public void Gray_items_at_their_own_size_are_the_normalized_pixels_in_every_channel()
    {
        using var data = new TinyFashion();
        var items = FashionMnist.Load(FashionMnistSplit.Train, data.Directory);
        using var batcher = new FashionMnistImageBatcher(items, 28, CPU);
        using var scope = NewDisposeScope();
        using var generator = new Generator(1);
        int[] indices = [5, 0, 5];
        var (images, labels) = batcher.Build(indices, generator, colour: false, flip: false);

        Assert.Equal([3, 3, 28, 28], images.shape);
        Assert.Equal(indices.Select(i => (long)items.Labels[i]), labels.data<long>().ToArray());
        var pixels = Unnormalize(images);
        for (int k = 0; k < indices.Length; k++)
        {
            var expected = tensor(items.Item(indices[k]).ToArray(), [28, 28]).to_type(float32) / 255f;
            for (int c = 0; c < 3; c++)
                Assert.True(pixels[k, c].allclose(expected, atol: 1e-5), $"image {k} channel {c}");
        }
    }

    [Fact]
    public void Coloured_batches_are_resized_in_range_not_gray_and_reproducible()
    {
        using var data = new TinyFashion();
        using var batcher = new FashionMnistImageBatcher(FashionMnist.Load(FashionMnistSplit.Train, data.Directory), 40, CPU);
        using var scope = NewDisposeScope();
        var indices = Enumerable.Range(0, 8).ToArray();
        var (a, _) = batcher.Build(indices, new Generator(9), colour: true, flip: true);
        var (b, _) = batcher.Build(indices, new Generator(9), colour: true, flip: true);
        var (c, _) = batcher.Build(indices, new Generator(10), colour: true, flip: true);

        Assert.Equal([8, 3, 40, 40], a.shape);
        Assert.True(a.Identical(b));
        Assert.False(a.allclose(c));
        var pixels = Unnormalize(a);
        Assert.True(pixels.min().item<float>() >= -1e-5 && pixels.max().item<float>() <= 1 + 1e-5);
        Assert.True((pixels[.., 0] - pixels[.., 1]).abs().max().item<float>() > 0.05, "colouring left the images gray");
    }

    [Fact]
    public void Flipping_mirrors_some_images_left_right_and_keeps_the_rest()
    {
        using var data = new TinyFashion();
        using var batcher = new FashionMnistImageBatcher(FashionMnist.Load(FashionMnistSplit.Train, data.Directory), 32, CPU);
        using var scope = NewDisposeScope();
        var indices = Enumerable.Range(0, 16).ToArray();
        var (plain, _) = batcher.Build(indices, new Generator(1), colour: false, flip: false);
        var (flipped, _) = batcher.Build(indices, new Generator(1), colour: false, flip: true);
        int mirrored = 0;
        for (int k = 0; k < indices.Length; k++)
        {
            if (flipped[k].Identical(plain[k].flip(2))) mirrored++;
            else Assert.True(flipped[k].Identical(plain[k]), $"image {k} is neither kept nor mirrored");
        }
        Assert.InRange(mirrored, 1, indices.Length - 1);
    }

    [Fact]
    public void An_index_outside_the_split_is_named()
    {
        using var data = new TinyFashion();
        using var batcher = new FashionMnistImageBatcher(FashionMnist.Load(FashionMnistSplit.Train, data.Directory), 32, CPU);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => batcher.Build([0, data.TrainCount], new Generator(1), true, true));
        Assert.Contains($"Item {data.TrainCount}", e.Message);
    }
}
